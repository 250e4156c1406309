"""The one place that creates reports: every channel hands a Submission to submit()."""

from mapper.intake.service import IntakeResult, submit
from mapper.intake.submission import ContactInput, Submission

__all__ = ["ContactInput", "IntakeResult", "Submission", "submit"]
