"""The personal data of the rehabilitation course (cases/personal_data.py explains the registry)."""

from cases.personal_data import Rule, Withhold, register

from .models import (
    CourseService,
    CourtSupportEntry,
    FamilyConsultation,
    FamilyMember,
    MaterialAssistance,
    PostCourseConsultation,
    RehabilitationCourse,
    RehabilitationPlan,
)

register(RehabilitationCourse, case_path="case", fields={"end_reason": Rule.REDACT})
register(RehabilitationPlan, case_path="course__case", fields={"goals": Rule.REDACT})
register(CourseService, case_path="course__case", fields={"notes": Rule.REDACT})
register(MaterialAssistance, case_path="course__case", fields={"description": Rule.REDACT})
register(PostCourseConsultation, case_path="course__case", fields={"notes": Rule.REDACT})
register(
    FamilyMember,
    case_path="case",
    fields={"given_name": Rule.REDACT, "family_name": Rule.BLANK, "relationship": Rule.REDACT},
    withhold={
        "given_name": Withhold.THIRD_PARTY,
        "family_name": Withhold.THIRD_PARTY,
        "relationship": Withhold.THIRD_PARTY,
    },
)
register(
    FamilyConsultation,
    case_path="case",
    fields={"notes": Rule.REDACT},
    withhold={"notes": Withhold.THIRD_PARTY},
)
register(CourtSupportEntry, case_path="case", fields={"activity": Rule.REDACT})
