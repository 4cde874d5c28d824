"""PyTorch/torchvision face: datasets that mix in synthetic samples and a
batch transform.

Fit from a torch dataset with :meth:`ganaug.GanAugmenter.fit_dataset`.
"""

from ..torchdata import dataset_to_arrays
from .datasets import AugmentedDataset, SyntheticDataset
from .transforms import SyntheticMix

__all__ = ["AugmentedDataset", "SyntheticDataset", "SyntheticMix", "dataset_to_arrays"]
