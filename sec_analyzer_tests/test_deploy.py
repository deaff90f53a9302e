"""The production deployment (deploy/, Dockerfile) agrees with the project it deploys."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_the_k8s_extra_pins_the_dagster_k8s_release_of_the_locked_dagster() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    [pin] = extras["k8s"]
    # Dagster's libraries are released with the core: 1.13.N goes with 0.29.N.
    major, minor, patch = version("dagster").split(".")
    assert pin == f"dagster-k8s==0.{int(minor) + 16}.{patch}" and major == "1"
    assert '".[k8s]"' in (ROOT / "Dockerfile").read_text()


def test_the_helm_values_launch_runs_as_k8s_jobs_from_the_code_location_image() -> None:
    values = yaml.safe_load((ROOT / "deploy" / "values.yaml").read_text())
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    [deployment] = values["dagster-user-deployments"]["deployments"]
    # the same module and attribute the Dockerfile's user-code server and workspace.yaml load
    assert deployment["dagsterApiGrpcArgs"] == ["-m", "sec_analyzer.definitions", "-a", "defs"]
    assert '"-m", "sec_analyzer.definitions", "-a", "defs"' in (ROOT / "Dockerfile").read_text()
