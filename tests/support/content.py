"""The questionnaires the tests use: the content folder's current versions."""

from __future__ import annotations

from functools import cache

from survey.questionnaire import Catalog, Questionnaire, load_catalog

SELF_SCAN = "poolster-clb"
SCHOOLS = "scholen-clb"


@cache
def catalog() -> Catalog:
    return load_catalog()


def self_scan() -> Questionnaire:
    return catalog().current(SELF_SCAN)


def schools_survey() -> Questionnaire:
    return catalog().current(SCHOOLS)


def stadium_ids() -> tuple[str, ...]:
    return self_scan().scale("stadia").level_ids
