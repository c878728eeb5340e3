"""RG113: a source file of the app that no rule could analyse."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity

#: One finding per file up to this many; the rest are counted in one more finding.
MAX_REPORTED = 50


class SourceFileNotAnalysed(Rule):
    """A Ruby, ERB or JavaScript file of the app that no rule could analyse.

    ## What it does
    Reports every Ruby, ERB or JavaScript file in the app's code folders
    (`app/`, `lib/`, `config/`, the tests, `db/`, `bin/` and the top-level Ruby
    files) that rubygrade could not read as code: over the hard size ceiling
    (8 times `--max-file-bytes`, 16 MB by default), beyond the `--max-files`
    limit, unreadable (permissions, an unlistable folder), or not text at all
    (more than a quarter of it is not valid UTF-8). A file over the ordinary size
    limit but under the ceiling is still analysed, with a diagnostic, and a file
    with a NUL byte is analysed as far as Ruby reads it; neither is reported here.

    ## Why is this bad?
    Code that no rule reads cannot lose points, so without this rule an app could
    raise its own grade by hiding its worst code in a padded, locked or garbled
    file. The default rubric gives this rule a ceiling of 0: while the finding
    stands, the total cannot exceed it, so hiding code never pays. A real app has
    no reason for a 16 MB source file; generated data belongs in `db/` seeds or
    fixtures that load it, not in the code.

    ## Example
    ```ruby app/services/padded_service.rb
    class PaddedService
      def reply(text) = RubyLLM.chat.user(text)
    end
    # the same comment line again and again, to push the file past the size ceiling ...
    ⋮ ×200000
    ```

    Use instead:
    ```ruby app/services/padded_service.rb
    class PaddedService
      def reply(text) = RubyLLM.chat.ask(text).content
    end
    ```
    """

    id = "RG113"
    name = "source-file-not-analysed"
    dimension = Dimension.DELIVERABLES
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        unanalysed = ctx.project.unanalysed_code()
        for number, (path, reason) in enumerate(unanalysed.items()):
            if number == MAX_REPORTED:
                rest = len(unanalysed) - MAX_REPORTED
                ctx.report(path, 1, f"{rest} more source files were not analysed, from {path} on "
                           f"({reason}).", fix="Keep the app's code within the limits, readable "
                           "and in UTF-8.")
                break
            where = path.rstrip("/")
            what = "The folder" if path.endswith("/") else "The source file"
            ctx.report(where, 1, f"{what} {where} was not analysed: {reason}.",
                       fix="Keep the code readable, in UTF-8 and under the size limit; remove "
                           "generated content or padding from the code folders.")
