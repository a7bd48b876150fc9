#!/usr/bin/env python3
"""From a scikit-learn model to the predictions CSV that fairgate gates.

Trains two income models on UCI Adult (adult.data; Becker & Kohavi 1996, CC BY 4.0,
https://doi.org/10.24432/C5XW20): the *incumbent*, a logistic regression on the numeric
columns (the model in production), and the *candidate*, a gradient-boosted model on every
column. Both score the held-out adult.test, and one CSV is written with a row per test
person: id, the protected attributes, the true label and each model's decision and score.

    python3 train.py ADULT_DATA ADULT_TEST OUT.csv

ADULT_DATA and ADULT_TEST may be gzip'd (tests/data/ ships both). Deterministic: fixed
seeds, so the same inputs give the same CSV.
"""
import sys

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

COLUMNS = ["age", "workclass", "fnlwgt", "education", "education_num",
           "marital_status", "occupation", "relationship", "race", "sex",
           "capital_gain", "capital_loss", "hours_per_week", "native_country",
           "income"]
NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
CATEGORICAL = ["workclass", "education", "marital_status", "occupation",
               "relationship", "race", "sex", "native_country"]


def load(path):
    df = pd.read_csv(path, header=None, names=COLUMNS, skipinitialspace=True,
                     na_values="?", comment="|")  # adult.test's first line is "|1x3 ..."
    df = df.dropna(subset=["income"])
    # adult.test writes ">50K." where adult.data writes ">50K".
    df["income"] = (df["income"].str.rstrip(".") == ">50K").astype(int)
    return df


def main(argv):
    if len(argv) != 4:
        sys.exit("usage: train.py ADULT_DATA ADULT_TEST OUT.csv")
    train, test = load(argv[1]), load(argv[2])
    y = train["income"]

    incumbent = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    incumbent.fit(train[NUMERIC], y)

    encode = ColumnTransformer(
        [("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False),
          CATEGORICAL)], remainder="passthrough")
    candidate = make_pipeline(
        encode, HistGradientBoostingClassifier(max_iter=200, random_state=0))
    features = NUMERIC + CATEGORICAL
    candidate.fit(train[features].fillna("missing"), y)

    p_inc = incumbent.predict_proba(test[NUMERIC])[:, 1]
    p_cand = candidate.predict_proba(test[features].fillna("missing"))[:, 1]
    out = pd.DataFrame({
        "id": np.arange(1, len(test) + 1),
        "sex": test["sex"],
        "race": test["race"],
        "income": test["income"],
        "pred_candidate": (p_cand >= 0.5).astype(int),
        "score_candidate": np.round(p_cand, 6),
        "pred_incumbent": (p_inc >= 0.5).astype(int),
        "score_incumbent": np.round(p_inc, 6),
    })
    out.to_csv(argv[3], index=False)
    print(f"{argv[3]}: {len(out)} rows; accuracy candidate "
          f"{(out.pred_candidate == out.income).mean():.4f}, incumbent "
          f"{(out.pred_incumbent == out.income).mean():.4f}")


if __name__ == "__main__":
    main(sys.argv)
