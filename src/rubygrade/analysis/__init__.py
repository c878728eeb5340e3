"""The shared analyses: what every rule may ask about the app, each computed once per run.

Rules sit above this layer and never compute these facts themselves; analyses
never import rules. Each analysis takes the narrow facts it needs (the
project, the index, the catalogue, the brief, other analyses), and
:class:`Analyses` wires them together lazily, so a run that needs no
value-flow never builds one.

=========================  ============================================================
``values``                 what each expression holds (RubyLLM roles), by data flow
``llm_calls``              every call site that sends a request to a model
``api_checks``             calls on RubyLLM values checked against the catalogue
``constants``              ``RubyLLM::`` constants the catalogue lacks
``usage``                  how the app uses RubyLLM (the rubric's awards)
``rescues``                which rescue clauses catch what an LLM call raises
``guards``                 which LLM calls are guarded before they become a 500
``reachable``              methods a controller action, job, channel or mailbox reaches
``dynamic_classes``        classes the app may pick by name at run time (``constantize``)
``preflight``              the API-key check before the first request
``history`` / ``state``    where the conversation lives; process-local state
``prompts``                where the text sent to a model is written (prompt literals)
``forgery``                where CSRF verification is skipped and what that exposes
``settings``               production settings that break with several processes
``suite``                  the test suite: what tests reach, doubles, error paths
``turbo`` / ``stimulus``   Turbo Streams use; Stimulus controllers and their wiring
``scripts``                each file's JavaScript trees and what fetch responses write (jsflow)
``views``                  partials and templates
``deliverables``           Dockerfile, compose, declared gems
=========================  ============================================================
"""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING

from rubygrade.dataclass_lite import dataclass
from rubygrade.models import Diagnostic
from rubygrade.timings import analysis

if TYPE_CHECKING:
    from rubygrade.analysis.api_checks import CallProblems
    from rubygrade.analysis.bypass import Practice
    from rubygrade.analysis.constants import ConstantRef
    from rubygrade.analysis.deliverables import Deliverables
    from rubygrade.analysis.doubles import Doubles
    from rubygrade.analysis.dynamic_classes import DynamicClasses
    from rubygrade.analysis.entries import EntryPoints
    from rubygrade.analysis.forgery import Forgery
    from rubygrade.analysis.guards import GuardAnalysis
    from rubygrade.analysis.history import History
    from rubygrade.analysis.llm_calls import LlmCall
    from rubygrade.analysis.prompts import Prompts
    from rubygrade.analysis.rescues import RescueModel
    from rubygrade.analysis.scripts import Scripts
    from rubygrade.analysis.services import ServiceHome
    from rubygrade.analysis.settings import Setting
    from rubygrade.analysis.state import StateSite
    from rubygrade.analysis.stimulus import StimulusWiring
    from rubygrade.analysis.suite import TestSuite
    from rubygrade.analysis.taint import Taint
    from rubygrade.analysis.turbo import TurboUse
    from rubygrade.analysis.usage import Usage
    from rubygrade.analysis.values import RType, ValueFlow
    from rubygrade.brief import Brief
    from rubygrade.callgraph import CallGraph
    from rubygrade.catalogue.model import Catalogue
    from rubygrade.index import Index
    from rubygrade.index.model import CallSite
    from rubygrade.project import Project


@dataclass
class Facts:
    """The read-only inputs of every analysis: the project, its index, the brief, the catalogue."""

    project: Project
    index: Index
    brief: Brief
    catalogue_version: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @analysis
    def catalogue(self) -> Catalogue | None:
        """The catalogue of the resolved ruby_llm version (None: no version, or unreadable)."""
        if self.catalogue_version is None:
            return None
        from rubygrade.catalogue.store import load_catalogue

        try:
            return load_catalogue(self.catalogue_version)
        except (ValueError, OSError) as exc:
            self.diagnose("catalogue", f"RubyLLM catalogue unavailable: {exc}")
            return None

    def diagnose(self, kind: str, message: str, path: str | None = None,
                 line: int | None = None) -> None:
        """Record a diagnostic about the run (an analysis that bounds itself says so here)."""
        self.diagnostics.append(Diagnostic(kind=kind, message=message, path=path,  # type: ignore[arg-type]
                                           line=line))


class Analyses:
    """Every shared analysis of one run, built on first use and kept for the run.

    ``@analysis`` is ``functools.cached_property`` that also times the first computation
    under the analysis's name (``rubygrade grade --timings``)."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.project = facts.project
        self.index = facts.index

    @analysis
    def values(self) -> ValueFlow:
        from rubygrade.analysis.values import ValueFlow

        return ValueFlow(self.facts)

    @analysis
    def call_graph(self) -> CallGraph:
        """The app's call graph, where a call on a RubyLLM value (or another LLM client)
        never resolves by name to an app method that happens to share its name."""
        from rubygrade.callgraph import CallGraph

        values = self.values

        def receiver_role(call: CallSite) -> RType | None:
            return values.receiver_type(call) if call.receiver is not None else None

        return CallGraph(self.index, receiver_role)

    @analysis
    def llm_calls(self) -> list[LlmCall]:
        from rubygrade.analysis.llm_calls import find_llm_calls

        return find_llm_calls(self.facts, self.values)

    @analysis
    def bypass(self) -> list[Practice]:
        """The RubyLLM practices an app without RubyLLM shows through another client."""
        from rubygrade.analysis.bypass import bypass_practices

        if self.usage.uses_rubyllm:
            return []
        return bypass_practices(self.project, self.index, self.call_graph, self.llm_calls,
                                self.taint)

    @analysis
    def services(self) -> list[ServiceHome]:
        """The classes holding LLM logic as a service object (see analysis.services)."""
        from rubygrade.analysis.services import service_homes

        return service_homes(self.project, self.index, self.llm_calls, self.values.roles,
                             self.values.subclasses)

    @analysis
    def api_checks(self) -> CallProblems:
        from rubygrade.analysis.api_checks import check_calls

        return check_calls(self.facts, self.values)

    @analysis
    def doubles(self) -> Doubles:
        from rubygrade.analysis.doubles import Doubles

        return Doubles(self.facts, self.values)

    @analysis
    def missing_constants(self) -> list[ConstantRef]:
        from rubygrade.analysis.constants import find_missing_constants

        return find_missing_constants(self.facts)

    @analysis
    def usage(self) -> Usage:
        from rubygrade.analysis.usage import collect_usage

        return collect_usage(self.facts, self.values, self.llm_calls, self.state, self.taint)

    @analysis
    def entries(self) -> EntryPoints:
        from rubygrade.analysis.entries import EntryPoints

        return EntryPoints(self.project, self.index, self.call_graph)

    @analysis
    def reachable(self) -> set[str]:
        """Method keys a controller action, job, channel, mailbox, view, task or callback
        reaches in the call graph."""
        return self.entries.reachable()

    @analysis
    def dynamic_classes(self) -> DynamicClasses:
        from rubygrade.analysis.dynamic_classes import DynamicClasses

        return DynamicClasses(self.index, self.project)

    @analysis
    def rescues(self) -> RescueModel:
        from rubygrade.analysis.rescues import RescueModel

        return RescueModel(self.facts)

    @analysis
    def taint(self) -> Taint:
        from rubygrade.analysis.taint import Taint

        return Taint(self.facts, self.values, self.call_graph)

    @analysis
    def guards(self) -> GuardAnalysis:
        from rubygrade.analysis.guards import GuardAnalysis

        return GuardAnalysis(self.facts, self.llm_calls, self.rescues, self.call_graph,
                             self.entries)

    @analysis
    def preflight(self) -> tuple[str, int, str] | None:
        from rubygrade.analysis.preflight import find_preflight

        return find_preflight(self.project, self.facts.brief)

    @analysis
    def history(self) -> History:
        from rubygrade.analysis.history import collect_history

        return collect_history(self.project, self.index, self.values)

    @analysis
    def state(self) -> list[StateSite]:
        from rubygrade.analysis.state import find_state

        return find_state(self.project, self.index, self.values, self.reachable, self.taint)

    @analysis
    def forgery(self) -> Forgery:
        from rubygrade.analysis.forgery import Forgery

        return Forgery(self.project, self.index)

    @analysis
    def prompts(self) -> Prompts:
        from rubygrade.analysis.prompts import Prompts

        return Prompts(self.facts, self.values, self.call_graph, self.taint)

    @analysis
    def settings(self) -> list[Setting]:
        from rubygrade.analysis.settings import multi_process_settings

        return multi_process_settings(self.project, self.index)

    @analysis
    def suite(self) -> TestSuite:
        from rubygrade.analysis.suite import build_suite

        return build_suite(self.project, self.index, self.call_graph)

    @analysis
    def turbo(self) -> TurboUse:
        from rubygrade.analysis.turbo import collect_turbo

        return collect_turbo(self.project, self.index)

    @analysis
    def scripts(self) -> Scripts:
        from rubygrade.analysis.scripts import Scripts

        return Scripts()

    @analysis
    def stimulus(self) -> StimulusWiring:
        from rubygrade.analysis.stimulus import collect_wiring

        return collect_wiring(self.project)

    @analysis
    def deliverables(self) -> Deliverables:
        from rubygrade.analysis.deliverables import Deliverables

        return Deliverables(self.project)
