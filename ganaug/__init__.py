"""ganaug: conditional-GAN data augmentation for scikit-learn and PyTorch."""

from .augmenter import GanAugmenter
from .diagnostics import CollapseWarning
from .training import TrainingDivergedError

__version__ = "0.2.0"
__all__ = ["CollapseWarning", "GanAugmenter", "TrainingDivergedError", "__version__"]
