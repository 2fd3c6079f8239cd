"""Plain JSON types from numpy, pandas and standard-library values (the last step of every document).

Light on purpose: standard library only at import time, so that the command line's light
paths (the command line's help, ``data list``) can use it without paying for numpy or pandas.
"""

from __future__ import annotations

import math
import sys
from enum import Enum
from pathlib import Path
from typing import Any

__all__ = ["to_jsonable"]


def to_jsonable(obj: Any) -> Any:
    """Convert numpy/pandas scalars and containers to plain JSON types; NaN becomes ``None``.

    Parameters
    ----------
    obj : object
        A dict, list, tuple, set, numpy array or scalar, pandas DataFrame (a list of records),
        Series (a dict), timestamp, ``Path``, ``Enum`` or plain value, nested at will.

    Returns
    -------
    object
        The same content in dicts (string keys), lists, str, int, float, bool and ``None``.

    Examples
    --------
    >>> import numpy as np
    >>> to_jsonable({"a": np.float64("nan"), "b": np.int64(3), "c": (1.5, np.inf)})
    {'a': None, 'b': 3, 'c': [1.5, None]}

    """
    # numpy and pandas objects can only exist once their module is imported: a command that
    # never used them does not pay for importing them here
    np = sys.modules.get("numpy")
    pd = sys.modules.get("pandas")
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [to_jsonable(v) for v in obj]
    if np is not None and isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()]
    if pd is not None and isinstance(obj, pd.DataFrame):
        return [to_jsonable(r) for r in obj.to_dict(orient="records")]
    if pd is not None and isinstance(obj, pd.Series):
        return to_jsonable(obj.to_dict())
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, Enum):
        return obj.value
    if np is not None and isinstance(obj, np.generic):
        obj = obj.item()
    if pd is not None and (obj is pd.NA or obj is pd.NaT):
        return None
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if pd is not None and isinstance(obj, pd.Timestamp):
        return obj.isoformat()
    return obj
