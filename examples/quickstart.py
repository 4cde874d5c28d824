"""Fit a GanAugmenter on digits, sample from it and plot a grid per class.

python examples/quickstart.py            # writes quickstart_grid.png
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from ganaug import GanAugmenter  # noqa: E402

X, y = load_digits(return_X_y=True)
aug = GanAugmenter(random_state=0, verbose=1).fit(X, y)

X_new, y_new = aug.sample(100)  # 10 per class
X_sevens, _ = aug.sample(5, y=7)  # one class
print("sampled", X_new.shape, "labels", np.bincount(y_new), "sevens", X_sevens.shape)

fig, axes = plt.subplots(10, 10, figsize=(6, 6))
for ax, img in zip(axes.flat, X_new, strict=True):
    ax.imshow(img.reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
    ax.set_xticks([])
    ax.set_yticks([])
for row, label in enumerate(aug.classes_):
    axes[row, 0].set_ylabel(str(label), rotation=0, labelpad=10)
fig.suptitle("ganaug: generated digits, one row per class")
fig.savefig("quickstart_grid.png", dpi=100)
print("wrote quickstart_grid.png")
