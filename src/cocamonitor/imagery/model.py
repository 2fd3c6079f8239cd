"""Train a pixel classifier on labelled reference points, with spatially blocked cross-validation.

* The points are grouped into square spatial blocks (``block_m`` metres); every split of the
  cross-validation and of the probability calibration keeps whole blocks apart
  (:class:`sklearn.model_selection.GroupKFold`), never random pixels, because neighbouring
  pixels of one field are nearly copies of each other and random splits overstate accuracy.
* The classifier is scikit-learn's histogram gradient boosting (``engine="hgb"``, default),
  a random forest (``"rf"``) or LightGBM (``"lightgbm"``, optional dependency), wrapped in
  :class:`sklearn.calibration.CalibratedClassifierCV` (one model refit on all points,
  calibrated on block-held-out predictions) so that its probabilities are calibrated.
* The cross-validation scores (overall accuracy on held-out blocks, balanced accuracy, per-class
  user's and producer's accuracy, Brier score, log loss) describe the *training sample*; the
  design-based accuracy and the area with its interval come from a probability sample
  (``area design`` / ``area estimate``).

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> n = 400
>>> x, y = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n)
>>> labels = np.where(rng.random(n) < 0.3, "1", "0")
>>> X = rng.normal(size=(n, 3)) + (labels == "1")[:, None] * 1.5
>>> model = train_classifier(X, labels, x, y, feature_names=["a", "b", "c"], block_m=500, seed=1)
>>> model.classes
['0', '1']
>>> 0.7 < model.card.cv["overall_accuracy"] <= 1.0
True

"""

from __future__ import annotations

import platform
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cocamonitor._version import __version__
from cocamonitor.errors import CocamonitorWarning, DataError, InputError, ParameterError

__all__ = ["MIN_PER_CLASS", "ModelCard", "TrainedModel", "load_model", "spatial_blocks", "train_classifier"]

#: Set inside :meth:`TrainedModel.limit_threads` (per thread: a context variable).
_LIMITED: ContextVar[bool] = ContextVar("cocamonitor_imagery_limited", default=False)

#: Fewest training points a class needs.
MIN_PER_CLASS = 10

ENGINES = ("hgb", "rf", "lightgbm")


def spatial_blocks(x: np.ndarray, y: np.ndarray, block_m: float) -> np.ndarray:
    """Integer id of the ``block_m``-sided square block of each point.

    Examples
    --------
    >>> spatial_blocks(np.array([5.0, 15.0, 5.0]), np.array([5.0, 5.0, 25.0]), 10.0).tolist()
    [0, 2, 1]

    """
    if not block_m > 0:
        raise ParameterError(f"block size must be positive, got {block_m}", where="block_m")
    bx = np.floor(np.asarray(x, dtype=float) / block_m).astype(np.int64)
    by = np.floor(np.asarray(y, dtype=float) / block_m).astype(np.int64)
    _, ids = np.unique(np.stack([bx, by], axis=1), axis=0, return_inverse=True)
    return ids.reshape(-1)


@dataclass(frozen=True)
class ModelCard:
    """What a model is: features, training sample, blocked-CV scores, parameters, versions."""

    engine: str
    classes: list[str]
    features: list[str]
    training: dict[str, Any]
    cv: dict[str, Any]
    parameters: dict[str, Any]
    versions: dict[str, str]
    imagery: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        return {"engine": self.engine, "classes": list(self.classes), "features": list(self.features),
                "training": dict(self.training), "cv": dict(self.cv), "parameters": dict(self.parameters),
                "versions": dict(self.versions), "imagery": dict(self.imagery)}


@dataclass(frozen=True)
class TrainedModel:
    """A calibrated classifier with its card.

    Attributes
    ----------
    estimator : sklearn estimator
        Fitted, with ``predict_proba``.
    card : ModelCard

    """

    estimator: Any
    card: ModelCard

    @property
    def classes(self) -> list[str]:
        """Class labels, in the column order of ``predict_proba``."""
        return list(self.card.classes)

    @property
    def input_dtype(self) -> type:
        """Dtype the estimator predicts from without a copy (float64 for ``hgb``, else float32)."""
        return np.float64 if self.card.engine == "hgb" else np.float32

    def predict_proba(self, X: np.ndarray, *, threads: int | None = None) -> np.ndarray:
        """Calibrated class probabilities of the rows of ``X``.

        ``threads`` caps the OpenMP threads of this call (per calling thread, so tiles predicted
        on parallel threads each use one); by default small batches run on one thread (OpenMP's
        waiting threads cost more than they save) and large ones on all.
        """
        from threadpoolctl import threadpool_limits

        # rows contiguous and in the engine's own dtype: sklearn's predictors walk each row, and
        # a column-major or float32 array would be copied (or walked across memory) on every call
        X = np.ascontiguousarray(X, dtype=self.input_dtype)
        if _LIMITED.get():  # inside limit_threads: already capped for this thread
            return self.estimator.predict_proba(X)
        if threads is None:
            threads = 1 if X.shape[0] < 100_000 else None
        with threadpool_limits(limits=threads, user_api="openmp"):
            return self.estimator.predict_proba(X)

    @contextmanager
    def limit_threads(self, threads: int) -> Iterator[TrainedModel]:
        """Cap the OpenMP threads of every :meth:`predict_proba` call inside, on this thread.

        For many calls in a row: threadpoolctl takes milliseconds to set and restore a limit,
        as long as predicting a few thousand rows.

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(200, 2))
        >>> model = train_classifier(X, np.where(X[:, 0] > 0, "1", "0"), rng.uniform(0, 4000, 200),
        ...                          rng.uniform(0, 4000, 200), feature_names=["a", "b"], cross_validate=False)
        >>> with model.limit_threads(1):
        ...     parts = [model.predict_proba(X[i:i + 50]) for i in range(0, 200, 50)]
        >>> np.concatenate(parts).shape
        (200, 2)

        """
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=threads, user_api="openmp"):
            token = _LIMITED.set(True)
            try:
                yield self
            finally:
                _LIMITED.reset(token)

    def with_imagery(self, **info: Any) -> TrainedModel:
        """Return a copy whose card records how the imagery was read (bands, CRS, window...)."""
        card = ModelCard(**{**self.card.__dict__, "imagery": {**self.card.imagery, **info}})
        return TrainedModel(self.estimator, card)

    def save(self, folder: str | Path) -> tuple[Path, Path]:
        """Write ``model.joblib`` and ``model_card.json`` into ``folder``."""
        import json

        import joblib

        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        joblib.dump({"estimator": self.estimator, "card": self.card.to_dict()}, out / "model.joblib")
        (out / "model_card.json").write_text(json.dumps(self.card.to_dict(), indent=2, default=float))
        return out / "model.joblib", out / "model_card.json"


def load_model(folder: str | Path, *, where: str = "model") -> TrainedModel:
    """Read a model written by :meth:`TrainedModel.save` (a folder or its ``model.joblib``)."""
    import joblib

    p = Path(folder)
    if p.is_dir():
        p = p / "model.joblib"
    if not p.is_file():
        raise InputError(f"no model at {p}", where=where, hint="train one with `cocamonitor map train`")
    try:
        doc = joblib.load(p)
        return TrainedModel(doc["estimator"], ModelCard(**doc["card"]))
    except Exception as err:
        raise DataError(f"cannot read the model {p} ({err})", where=where,
                        hint="retrain it with this version of cocamonitor") from None


def _base(engine: str, seed: int, n_jobs: int | None) -> Any:
    if engine == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier

        # 20 trees of 15 leaves: on the simulator's 2,048² and 4,096² benchmark scenes the
        # held-out-block accuracy (0.981, 0.976) is within 0.2 points of 30 trees (0.982, 0.975)
        # and of 100 trees of 31 leaves; prediction, a tree walk per pixel, costs 0.6 of 30 trees'
        return HistGradientBoostingClassifier(max_iter=20, learning_rate=0.45, max_leaf_nodes=15,
                                              l2_regularization=1.0, early_stopping=False, random_state=seed)
    if engine == "rf":
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(n_estimators=200, min_samples_leaf=2, n_jobs=n_jobs, random_state=seed)
    if engine == "lightgbm":
        try:
            from lightgbm import LGBMClassifier
        except ImportError:
            raise ParameterError("LightGBM is not installed", where="engine",
                                 hint="pip install 'cocamonitor[lightgbm]' or use engine hgb") from None
        return LGBMClassifier(n_estimators=150, learning_rate=0.1, num_leaves=31, random_state=seed,
                              n_jobs=n_jobs, verbose=-1)
    raise ParameterError(f"unknown engine {engine!r}", where="engine", hint=f"one of {', '.join(ENGINES)}")


def _calibrated(engine: str, seed: int, splits: list, method: str, n_jobs: int | None) -> Any:
    from sklearn.calibration import CalibratedClassifierCV

    return CalibratedClassifierCV(_base(engine, seed, n_jobs), method=method, cv=splits, ensemble=False)


def _clipped(proba: np.ndarray) -> np.ndarray:
    p = np.clip(proba, 1e-6, 1.0)
    return p / p.sum(axis=1, keepdims=True)


def _scores(labels: np.ndarray, proba: np.ndarray, classes: list[str]) -> dict[str, Any]:
    from sklearn.metrics import balanced_accuracy_score, confusion_matrix, log_loss

    pred = np.asarray(classes)[proba.argmax(axis=1)]
    cm = confusion_matrix(labels, pred, labels=classes)  # rows reference, columns predicted
    onehot = (labels[:, None] == np.asarray(classes)[None, :]).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ua = np.diag(cm) / cm.sum(axis=0)
        pa = np.diag(cm) / cm.sum(axis=1)
    return {
        "overall_accuracy": float(np.trace(cm) / cm.sum()),
        "balanced_accuracy": float(balanced_accuracy_score(labels, pred)),
        "brier": float(np.mean(((proba - onehot) ** 2).sum(axis=1))),
        "log_loss": float(log_loss(labels, _clipped(proba), labels=classes)),
        "users_accuracy": {c: (None if np.isnan(v) else float(v)) for c, v in zip(classes, ua, strict=True)},
        "producers_accuracy": {c: (None if np.isnan(v) else float(v)) for c, v in zip(classes, pa, strict=True)},
        "confusion_matrix": {"rows_reference_columns_predicted": classes, "counts": cm.tolist()},
    }


def train_classifier(X: np.ndarray, labels: Sequence[str], x: np.ndarray, y: np.ndarray, *,
                     feature_names: Sequence[str], engine: str = "hgb", block_m: float = 1000.0,
                     folds: int = 5, calibration: str = "auto", cross_validate: bool = True,
                     seed: int = 0, n_jobs: int | None = None, source: str | None = None) -> TrainedModel:
    """Fit a calibrated classifier and score it on held-out spatial blocks.

    Parameters
    ----------
    X : numpy.ndarray, shape (n, n_features)
        Features of the training points (NaN allowed with ``hgb`` and ``lightgbm``).
    labels : sequence of str
        Reference class of each point.
    x, y : numpy.ndarray
        Point coordinates in metres (for the spatial blocks).
    feature_names : sequence of str
        Names of the columns of ``X``.
    engine : {"hgb", "rf", "lightgbm"}
        Histogram gradient boosting, random forest or LightGBM.
    block_m : float
        Side of the spatial blocks, metres (larger than the fields and the spatial
        correlation of errors: 1 km by default).
    folds : int
        Blocked folds of the cross-validation (fewer when there are fewer blocks).
    calibration : {"auto", "sigmoid", "isotonic"}
        ``auto``: isotonic with 1,000 points or more, else sigmoid.
    cross_validate : bool
        Compute the blocked-CV scores (the costly part; the model is the same without).
    seed : int
        Seed of the classifier.
    n_jobs : int, optional
        Threads of the fit (default 1: small fits run fastest on one thread).
    source : str, optional
        Name of the training table in error messages.

    Returns
    -------
    TrainedModel

    Raises
    ------
    InputError
        Fewer than two classes, a class with fewer than :data:`MIN_PER_CLASS` points, fewer
        than two spatial blocks, unknown engine or calibration.

    """
    import sklearn.ensemble  # noqa: F401  (load the OpenMP runtime before limiting its threads)
    from threadpoolctl import threadpool_limits

    # OpenMP's busy-waiting threads slow small fits many times over on a shared machine
    with threadpool_limits(limits=n_jobs or 1):
        return _train(X, labels, x, y, feature_names=feature_names, engine=engine, block_m=block_m, folds=folds,
                      calibration=calibration, cross_validate=cross_validate, seed=seed, n_jobs=n_jobs,
                      source=source)


def _train(X: np.ndarray, labels: Sequence[str], x: np.ndarray, y: np.ndarray, *, feature_names: Sequence[str],
           engine: str, block_m: float, folds: int, calibration: str, cross_validate: bool, seed: int,
           n_jobs: int | None, source: str | None) -> TrainedModel:
    from sklearn.model_selection import GroupKFold

    where = f"{source}, column 'reference_class'" if source else "labels"
    X = np.asarray(X, dtype=np.float32)
    labels_a = np.asarray([str(v) for v in labels])
    if X.ndim != 2 or X.shape[0] != labels_a.size or X.shape[1] != len(feature_names):
        raise ParameterError(f"X has shape {X.shape}; expected ({labels_a.size}, {len(feature_names)})", where="X")
    classes, counts = np.unique(labels_a, return_counts=True)
    if classes.size < 2:
        raise DataError(f"only one class ({classes[0] if classes.size else 'none'}) among the training points",
                        where=where, hint="label points of coca and of other covers")
    small = [(c, n) for c, n in zip(classes, counts, strict=True) if n < MIN_PER_CLASS]
    if small:
        c, n = small[0]
        raise DataError(f"class {c} has {n} training points; a class needs at least {MIN_PER_CLASS}",
                        where=where, hint="label more points of it, or merge it into another class")
    if calibration == "auto":
        calibration = "isotonic" if labels_a.size >= 1000 else "sigmoid"
    if calibration not in ("sigmoid", "isotonic"):
        raise ParameterError(f"unknown calibration {calibration!r}", where="calibration",
                             hint="auto, sigmoid or isotonic")
    groups = spatial_blocks(x, y, block_m)
    n_blocks = int(groups.max()) + 1
    if n_blocks < 2:
        raise DataError(f"all training points fall in one {block_m:g} m block", where=where,
                        hint="spread the points out or use smaller blocks")
    k = min(folds, n_blocks)
    if k < folds:
        warnings.warn(f"only {n_blocks} spatial blocks: {k}-fold cross-validation instead of {folds}",
                      CocamonitorWarning, stacklevel=2)
    inner = min(3, n_blocks)

    def fit(rows: np.ndarray) -> Any:
        # calibration needs out-of-fold predictions for every row: whole partitions of the blocks,
        # each of whose training parts holds every class (fewer folds if three leave a class out)
        sub_groups, sub_labels = groups[rows], labels_a[rows]
        nb = np.unique(sub_groups).size
        for n_splits in range(min(inner, nb), 1, -1):
            splits = list(GroupKFold(n_splits=n_splits).split(X[rows], sub_labels, sub_groups))
            if all(np.unique(sub_labels[tr]).size == classes.size for tr, _ in splits):
                return _calibrated(engine, seed, splits, calibration, n_jobs).fit(X[rows], sub_labels)
        raise DataError("no blocked split leaves every class in the calibration folds", where=where,
                        hint="spread each class over more blocks or use smaller blocks")

    cv: dict[str, Any] = {"folds": k, "blocks": n_blocks, "block_m": block_m,
                          "note": "held-out spatial blocks of the training sample; the design-based "
                                  "accuracy comes from `area estimate` on a probability sample"}
    if cross_validate:
        proba = np.zeros((labels_a.size, classes.size))
        for tr, te in GroupKFold(n_splits=k).split(X, labels_a, groups):
            if np.unique(labels_a[tr]).size < classes.size:
                raise DataError("a class lies in too few spatial blocks for blocked cross-validation",
                                where=where, hint="spread each class over more blocks or use smaller blocks")
            m = fit(tr)
            proba[te] = m.predict_proba(X[te])
        cv.update(_scores(labels_a, proba, list(classes)))
    est = fit(np.arange(labels_a.size))
    import sklearn

    versions = {"cocamonitor": __version__, "scikit-learn": sklearn.__version__, "numpy": np.__version__,
                "python": platform.python_version()}
    if engine == "lightgbm":
        import lightgbm

        versions["lightgbm"] = lightgbm.__version__
    card = ModelCard(
        engine=engine, classes=[str(c) for c in est.classes_], features=list(feature_names),
        training={"points": int(labels_a.size), "per_class": {str(c): int(n) for c, n in zip(classes, counts,
                                                                                               strict=True)},
                  "source": source},
        cv=cv, parameters={"calibration": calibration, "block_m": block_m, "folds": folds, "seed": seed,
                           "base": repr(_base(engine, seed, n_jobs))},
        versions=versions,
    )
    return TrainedModel(est, card)
