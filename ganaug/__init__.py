"""ganaug: conditional-GAN data augmentation for scikit-learn and PyTorch."""

from .augmenter import GanAugmenter

__version__ = "0.1.0"
__all__ = ["GanAugmenter", "__version__"]
