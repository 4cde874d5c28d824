"""scikit-learn's and imbalanced-learn's own estimator checks on GanAugmenter.

The checks fit many times on tiny data; the augmenter is given a handful of
steps and a narrow network so the whole battery takes seconds.  Any check
that is expected to fail is listed, with its reason, in ``EXPECTED_FAILURES``
below: the one place where a deviation from the contract is allowed.
"""

from __future__ import annotations

from imblearn.utils.estimator_checks import (
    parametrize_with_checks as imblearn_checks,
)
from sklearn.utils.estimator_checks import (
    parametrize_with_checks as sklearn_checks,
)

from ganaug import GanAugmenter

EXPECTED_FAILURES: dict[str, str] = {}


def _augmenter() -> GanAugmenter:
    return GanAugmenter(
        steps=2, batch_size=8, noise_dim=4, width=8, device="cpu", random_state=0
    )


def _expected(estimator) -> dict[str, str]:
    return EXPECTED_FAILURES


@sklearn_checks([_augmenter()], expected_failed_checks=_expected)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@imblearn_checks([_augmenter()], expected_failed_checks=_expected)
def test_imblearn_sampler_checks(estimator, check):
    check(estimator)
