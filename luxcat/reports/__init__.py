"""Per-run reports for operators and source owners: findings with titles, grouped, charted, compared."""

from luxcat.reports.build import report_location, write_run_report
from luxcat.reports.collect import FindingsCollector, report_language

__all__ = ["FindingsCollector", "report_language", "report_location", "write_run_report"]
