"""The production artefacts describe the same processes the code and `make run` have.

No Docker engine runs here, so these checks read the files: every service's processes are
deployed in compose and Kubernetes with the commands the entrypoint knows, containers
run as non-root on a read-only filesystem, APIs have probes, and relays never scale out.
"""
from pathlib import Path

import pytest
import yaml

from deploy.local.processes import SERVICES, WORKERS

REPO = Path(__file__).resolve().parents[2]
ENTRYPOINT = (REPO / "deploy/docker/entrypoint.sh").read_text()


def expected_processes():
    return {(service, process) for service in SERVICES for process in ("api", *WORKERS[service])}


def test_every_service_has_a_dockerfile_on_the_platform_image():
    for service in SERVICES:
        text = (REPO / "services" / service / "Dockerfile").read_text()
        assert f"ENV SERVICE={service}" in text and "FROM ${PLATFORM_IMAGE}" in text
    assert "USER 10001" in (REPO / "deploy/docker/Dockerfile").read_text()
    workers = {w for service in SERVICES for w in WORKERS[service]}
    assert "api)" in ENTRYPOINT
    [roles] = [line.strip().rstrip(")").split("|") for line in ENTRYPOINT.splitlines() if line.strip().startswith("consumer|")]
    assert set(roles) == workers


def test_compose_runs_every_process():
    compose = yaml.safe_load((REPO / "deploy/docker-compose.yml").read_text())["services"]
    found = set()
    for name, spec in compose.items():
        if spec.get("environment", {}).get("SERVICE") in SERVICES:
            found.add((spec["environment"]["SERVICE"], (spec.get("command") or ["api"])[0]))
    assert found == expected_processes()


def test_kubernetes_deploys_every_process_safely():
    found = set()
    for service in SERVICES:
        for doc in yaml.safe_load_all((REPO / "deploy/k8s" / f"{service}.yaml").read_text()):
            if doc["kind"] != "Deployment":
                continue
            [container] = doc["spec"]["template"]["spec"]["containers"]
            process = container["args"][0]
            found.add((service, process))
            security = container["securityContext"]
            assert security["runAsNonRoot"] and security["readOnlyRootFilesystem"] and not security["allowPrivilegeEscalation"]
            assert container["resources"]["limits"] and container["resources"]["requests"]
            if process == "api":
                assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
                assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
            if process == "relay":
                assert doc["spec"]["replicas"] == 1
    assert found == expected_processes()


@pytest.mark.parametrize("name", ["namespace.yaml", "config.yaml", "ops.yaml"])
def test_shared_manifests_parse(name):
    assert all(doc["metadata"]["name"] for doc in yaml.safe_load_all((REPO / "deploy/k8s" / name).read_text()))
