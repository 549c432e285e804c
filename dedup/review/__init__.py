"""The review views: what dedup removed, in a terminal and as static HTML.

- :func:`print_diff`: one article in the terminal, removals struck and explained.
- :func:`report_html`: one article as an HTML fragment (``Report.to_html()``).
- :func:`write_site`: a corpus run's report records as a static review site.
"""

from __future__ import annotations

from dedup.review.html import report_html
from dedup.review.site import SiteSummary, write_site
from dedup.review.terminal import print_diff

__all__ = ["SiteSummary", "print_diff", "report_html", "write_site"]
