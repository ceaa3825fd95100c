"""Pluggable classifier backends, found by name in the ``armswatch.classifiers`` entry-point group.

Each entry point names a factory called with the settings (usually the backend class)::

    [project.entry-points."armswatch.classifiers"]
    rules = "services.classify.backends.rules:RulesClassifier"
    llm = "services.classify.backends.llm:LlmClassifier"

Use::

    classifier = load_classifier(settings)
    result = classifier.classify(article)  # {"id", "is_procurement", "events": [...]}
    classifier.version                     # the classifier_version of its events
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from services.classify.types import ArticleInput, ResultDict
from services.errors import ConfigError

if TYPE_CHECKING:
    from services.config import Settings

ENTRY_POINT_GROUP = "armswatch.classifiers"


@runtime_checkable
class Classifier(Protocol):
    """A classifier backend: article mapping in, ``{"id", "is_procurement", "events"}`` out."""

    name: str
    version: str

    def classify(self, article: ArticleInput) -> ResultDict:
        """Classify one article (``{"id", "title", "text", "language"?, ...}``)."""
        ...


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available_classifiers() -> list[str]:
    """The names of the installed classifier backends, sorted."""
    return sorted(_entry_points())


def load_classifier(settings: Settings) -> Classifier:
    """Build the backend named by ``settings.classifier``.

    Raises:
        ConfigError: the name is not an installed backend, its entry point cannot be
            loaded, or the backend rejects the settings (one line naming the variable).
    """
    name = settings.classifier
    found = _entry_points()
    ep = found.get(name)
    if ep is None:
        known = ", ".join(sorted(found)) or "none installed"
        raise ConfigError(f"config: ARMSWATCH_CLASSIFIER={name!r}: unknown classifier (known: {known})")
    try:
        factory: Callable[[Settings], Classifier] = ep.load()
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"config: ARMSWATCH_CLASSIFIER={name!r}: cannot load {ep.value}: {exc}") from exc
    classifier = factory(settings)
    if not isinstance(classifier, Classifier):
        raise ConfigError(f"config: ARMSWATCH_CLASSIFIER={name!r}: {ep.value} does not build a Classifier")
    return classifier


__all__ = ["ENTRY_POINT_GROUP", "Classifier", "available_classifiers", "load_classifier"]
