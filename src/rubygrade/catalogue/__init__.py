"""Versioned catalogue of the ruby_llm gem's public API (one JSON file per release).

The modules: ``model`` and ``lookup`` (the catalogue and its name lookups),
``store`` (loading a release, resolving the version an app locks), ``binding``
(Ruby 3 argument binding of a call against a signature), ``suggest`` (the
nearest real names), ``names`` (the cross-version name index), ``extractor`` and
the modules it uses (building a catalogue from the gem's source), ``diff`` and
``cli`` (``rubygrade catalogue``).
"""
