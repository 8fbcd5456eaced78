"""netlib.frame: calculators and the decision algorithm on pandas and Dask DataFrames."""

from __future__ import annotations

import math
import random

import pytest

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")

from netlib import cohort  # noqa: E402
from netlib.examples import CALCULATOR_EXAMPLES, PATIENT_EXAMPLES  # noqa: E402
from netlib.frame import CALC_COLUMNS, RECOMMEND_COLUMNS, calc_frame, recommend_frame, recommendation_row  # noqa: E402
from netlib.inputs import InputError  # noqa: E402
from netlib.pathway import recommend  # noqa: E402
from netlib.registry import get  # noqa: E402
from netlib.synthetic import random_patient  # noqa: E402

SYNTHETIC_PATIENTS = 2_000
SEED = 20261128


def _synthetic(count: int = SYNTHETIC_PATIENTS) -> list[dict]:
    rng = random.Random(SEED)
    return [random_patient(rng) for _ in range(count)]


def _expected_row(patient: dict) -> dict:
    """What recommend() says for one patient, in the frame's columns (the reference, row by row)."""
    try:
        return recommendation_row(recommend(patient))
    except InputError as error:
        return {"status": "error", "error_field": error.field, "error_message": str(error)}


def _row(frame, position: int) -> dict:
    """A frame row as a dict without the empty cells."""
    return {k: v for k, v in frame.iloc[position].items() if not (v is None or (isinstance(v, float) and math.isnan(v)))}


# --- "not given" ------------------------------------------------------------------------------

@pytest.mark.parametrize("blank", [np.nan, None, pd.NA, "", "   "], ids=["nan", "none", "pd.NA", "empty", "spaces"])
def test_blank_cells_mean_not_given(blank):
    df = pd.DataFrame({"differentiation": ["well"], "ki67_percent": pd.Series([4.5], dtype=object),
                       "mitoses_per_2mm2": pd.Series([blank], dtype=object)})
    out = calc_frame(df, "who_gep_grade")
    assert out.loc[0, "status"] == "ok"
    assert out.loc[0, "category"] == get("who_gep_grade")(differentiation="well", ki67_percent=4.5).category


def test_a_blank_required_cell_is_an_error_row_not_a_nan_message():
    df = pd.DataFrame({"differentiation": [np.nan], "ki67_percent": [4.5]})
    out = calc_frame(df, "who_gep_grade")
    assert out.loc[0, "status"] == "error"
    assert out.loc[0, "error_field"] == "differentiation"
    assert "nan" not in out.loc[0, "error_message"]


def test_numpy_and_nullable_dtypes_reach_netlib_as_plain_values():
    df = pd.DataFrame({"krenning_score": pd.array([3, None], dtype="Int64"),
                       "modality": ["sstr_pet", "sstr_pet"]})
    out = calc_frame(df, "krenning_score")
    assert out.loc[0, "status"] == "ok"
    assert out.loc[1, ["status", "error_field"]].tolist() == ["error", "krenning_score"]
    objects = pd.DataFrame({"krenning_score": pd.Series([np.int64(3)], dtype=object), "modality": ["sstr_pet"]})
    assert calc_frame(objects, "krenning_score").loc[0, "status"] == "ok"


def test_a_decimal_comma_is_refused_with_the_fields_own_message():
    df = pd.DataFrame({"differentiation": ["well"], "ki67_percent": ["3,5"]})
    out = calc_frame(df, "who_gep_grade")
    with pytest.raises(InputError) as refused:
        get("who_gep_grade").form.by_name["ki67_percent"].validate("3,5")
    assert out.loc[0, ["status", "error_field", "error_message"]].tolist() == \
        ["error", "ki67_percent", str(refused.value)]


# --- errors as rows, order, index, no mutation ---------------------------------------------------

def test_errors_are_rows_and_the_other_rows_are_unaffected():
    df = pd.DataFrame({"patient_id": ["p1", "p2", "p3"], "differentiation": ["well", "well", "well"],
                       "ki67_percent": [2.0, 120.0, 25.0]})
    out = calc_frame(df, "who_gep_grade")
    assert out["patient_id"].tolist() == ["p1", "p2", "p3"]
    assert out["status"].tolist() == ["ok", "error", "ok"]
    assert out.loc[1, "error_field"] == "ki67_percent" and "120" in out.loc[1, "error_message"]
    assert pd.isna(out.loc[0, "error_message"]) and pd.isna(out.loc[1, "category"])
    assert list(out.columns) == ["patient_id", *CALC_COLUMNS]


def test_an_unknown_column_is_named_in_every_row():
    df = pd.DataFrame({"ki67": [3.0, 4.0], "differentiation": ["well", "well"]})
    for out in (calc_frame(df, "who_gep_grade"), recommend_frame(df)):
        assert out["status"].tolist() == ["error", "error"]
        assert out["error_field"].tolist() == ["ki67", "ki67"]
        assert "'ki67'" in out.loc[0, "error_message"]


def test_order_and_index_are_kept_and_the_input_is_not_mutated():
    patients = _synthetic(200)
    df = pd.DataFrame(patients, index=pd.Index(range(1000, 800, -1), name="row"))
    df.insert(0, "patient_id", [f"id-{i}" for i in range(len(df))])
    before = df.copy(deep=True)
    out = recommend_frame(df)
    pd.testing.assert_frame_equal(df, before)
    assert out.index.equals(df.index)
    assert out["patient_id"].tolist() == df["patient_id"].tolist()
    assert list(out.columns) == ["patient_id", *RECOMMEND_COLUMNS]


def test_without_patient_id_there_is_no_patient_id_column():
    out = recommend_frame(pd.DataFrame([PATIENT_EXAMPLES["progressive-midgut-on-ssa"]]))
    assert list(out.columns) == list(RECOMMEND_COLUMNS)


def test_an_empty_frame_gives_an_empty_frame_with_the_columns():
    out = recommend_frame(pd.DataFrame({"ki67_percent": pd.Series([], dtype=float)}))
    assert len(out) == 0 and list(out.columns) == list(RECOMMEND_COLUMNS)


def test_the_columns_are_what_netlib_cohort_writes():
    assert ("patient_id", *RECOMMEND_COLUMNS) == tuple("error_message" if c == "error" else c
                                                       for c in cohort.OUTPUT_COLUMNS)


# --- identical to the plain functions --------------------------------------------------------------

def test_recommend_frame_matches_recommend_row_by_row():
    patients = _synthetic()
    out = recommend_frame(pd.DataFrame(patients))
    assert len(out) == len(patients)
    statuses = set()
    for position, patient in enumerate(patients):
        expected = {k: v for k, v in _expected_row(patient).items() if v != ""}
        got = {k: v for k, v in _row(out, position).items() if v != ""}
        assert got == expected, position
        statuses.add(expected["status"])
    assert statuses == {"ok", "error"}  # both kinds of row really occur


def test_recommend_frame_matches_netlib_cohort_rows():
    patients = _synthetic(100)
    out = recommend_frame(pd.DataFrame(patients))
    for position, patient in enumerate(patients):
        row = cohort.evaluate_row({k: str(v) for k, v in patient.items()})
        got = _row(out, position)
        for column, value in row.items():
            if column in ("patient_id", "error"):
                continue
            assert got.get(column, "") == value, (position, column)


@pytest.mark.parametrize("calculator_id", sorted(CALCULATOR_EXAMPLES))
def test_calc_frame_matches_the_calculator(calculator_id):
    example = dict(CALCULATOR_EXAMPLES[calculator_id])
    out = calc_frame(pd.DataFrame([example, example]), calculator_id)
    result = get(calculator_id)(**example)
    assert out["status"].tolist() == ["ok", "ok"]
    assert out.loc[1, "headline"] == result.headline()
    assert out.loc[1, "interpretation"] == result.interpretation
    assert out.loc[1, "warnings"] == "; ".join(result.warnings)


# --- Dask ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    pytest.importorskip("dask.dataframe")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.mark.slow
def test_dask_on_a_local_cluster_equals_pandas(dask_client):
    import dask.dataframe as dd

    patients = _synthetic()
    df = pd.DataFrame(patients)
    df.insert(0, "patient_id", [f"p{i}" for i in range(len(df))])
    expected = recommend_frame(df)
    ddf = dd.from_pandas(df, npartitions=4)
    got = ddf.map_partitions(recommend_frame).compute()
    assert len(dask_client.scheduler_info()["workers"]) == 2
    pd.testing.assert_frame_equal(got.astype(object), expected.astype(object))

    grades = calc_frame(df[["differentiation", "ki67_percent", "mitoses_per_2mm2"]].dropna(subset=["differentiation"]),
                        "who_gep_grade")
    dask_grades = ddf[["differentiation", "ki67_percent", "mitoses_per_2mm2"]].dropna(subset=["differentiation"]) \
        .map_partitions(calc_frame, "who_gep_grade").compute()
    pd.testing.assert_frame_equal(dask_grades.astype(object), grades.astype(object))
