"""Translated labels of the domain's enumerations (yjdh style: a StrEnum value has one label per language).

The labels here are English message ids; the ``.po`` catalogues give them in Finnish and Swedish. A value
without a label is shown as its code (and the labels test fails, so a new member does not go unnoticed).
"""

from __future__ import annotations

from enum import StrEnum

from alue.area.models import ServicePointKind
from alue.casework.models import Channel, MeetingKind, PlanKind, ServicePath
from alue.employers.models import EmployerServiceKind, EmploymentType, SizeClass
from alue.people.models import (
    CustomerGroup,
    EducationLevel,
    EmploymentKind,
    Gender,
    SpellEndReason,
    Status,
    WorkingTime,
)
from alue.services.models import (
    ParticipationOutcome,
    PartnerKind,
    Production,
    ReferralStatus,
    ServiceKind,
)
from alue.shared.audit import AuditAction, AuditPurpose
from alue.shared.auth import N_, PERMISSION_LABELS, ROLE_LABELS
from alue.staff.models import DelegatedTask, ServiceLine

LABELS: dict[StrEnum, str] = {
    # copied as items: a dict keyed by one enum is not a dict keyed by any StrEnum (keys are invariant)
    **dict(ROLE_LABELS.items()),
    **dict(PERMISSION_LABELS.items()),
    Status.UNEMPLOYED: N_("Unemployed"),
    Status.LAID_OFF_FULL: N_("Fully laid off"),
    Status.SHORTENED_WEEK: N_("Shortened working week"),
    Status.IN_SERVICE: N_("In a service"),
    Status.EMPLOYED: N_("Employed"),
    Status.PART_TIME: N_("Part-time work"),
    Status.OUTSIDE_LABOUR_FORCE: N_("Outside the labour force"),
    SpellEndReason.EMPLOYED_OPEN_MARKET: N_("Employed on the open labour market"),
    SpellEndReason.EMPLOYED_SUBSIDISED: N_("Employed with a wage subsidy"),
    SpellEndReason.ENTREPRENEUR: N_("Became an entrepreneur"),
    SpellEndReason.EDUCATION: N_("Started a degree education"),
    SpellEndReason.OUTSIDE_LABOUR_FORCE: N_("Left the labour force"),
    SpellEndReason.MOVED_AWAY: N_("Moved away"),
    SpellEndReason.NOT_RENEWED: N_("Job search ended"),
    SpellEndReason.OTHER: N_("Other reason"),
    CustomerGroup.YOUNG: N_("Young person"),
    CustomerGroup.IMMIGRANT: N_("Immigrant"),
    CustomerGroup.PARTIAL_WORK_ABILITY: N_("Partial work ability"),
    CustomerGroup.LONG_TERM_UNEMPLOYED: N_("Long-term unemployed"),
    CustomerGroup.NO_VOCATIONAL_EDUCATION: N_("No vocational education"),
    CustomerGroup.LAID_OFF: N_("Laid off"),
    CustomerGroup.LIFE_MANAGEMENT: N_("Life-management challenges"),
    CustomerGroup.SUBSTANCE_MENTAL_HEALTH: N_("Substance use or mental health"),
    CustomerGroup.NEUROPSYCHIATRIC: N_("Neuropsychiatric challenges"),
    CustomerGroup.DISABILITY: N_("Disability"),
    EducationLevel.BASIC: N_("Basic education"),
    EducationLevel.GENERAL_UPPER_SECONDARY: N_("General upper secondary"),
    EducationLevel.VOCATIONAL: N_("Vocational qualification"),
    EducationLevel.SHORT_TERTIARY: N_("Short-cycle tertiary"),
    EducationLevel.BACHELOR: N_("Bachelor's degree"),
    EducationLevel.MASTER: N_("Master's degree"),
    EducationLevel.DOCTORAL: N_("Doctoral degree"),
    EducationLevel.UNKNOWN: N_("Unknown"),
    Gender.FEMALE: N_("Female"),
    Gender.MALE: N_("Male"),
    WorkingTime.FULL_TIME: N_("Full-time"),
    WorkingTime.PART_TIME: N_("Part-time"),
    WorkingTime.ANY: N_("Full- or part-time"),
    EmploymentKind.OPEN_MARKET: N_("Open labour market"),
    EmploymentKind.SUBSIDISED: N_("Wage subsidy"),
    EmploymentKind.APPRENTICESHIP: N_("Apprenticeship"),
    EmploymentKind.SELF_EMPLOYED: N_("Self-employed"),
    SizeClass.MICRO: N_("Micro (under 10)"),
    SizeClass.SMALL: N_("Small (10–49)"),
    SizeClass.MEDIUM: N_("Medium (50–249)"),
    SizeClass.LARGE: N_("Large (250 or more)"),
    EmploymentType.PERMANENT: N_("Permanent"),
    EmploymentType.FIXED_TERM: N_("Fixed-term"),
    EmploymentType.SEASONAL: N_("Seasonal"),
    EmployerServiceKind.CONTACT: N_("Contact or visit"),
    EmployerServiceKind.RECRUITMENT: N_("Recruitment service"),
    EmployerServiceKind.TRAINING_PROCUREMENT: N_("Joint training procurement"),
    EmployerServiceKind.WAGE_SUBSIDY: N_("Wage subsidy advice"),
    EmployerServiceKind.LAYOFF_SUPPORT: N_("Change security"),
    EmployerServiceKind.WORK_IN_FINLAND_LEAD: N_("Work in Finland lead"),
    EmployerServiceKind.RECRUITMENT_EVENT: N_("Recruitment event"),
    PartnerKind.EMPLOYER: N_("Employer"),
    PartnerKind.PRIVATE_RECRUITMENT: N_("Private recruitment"),
    PartnerKind.WELLBEING_SERVICES_COUNTY: N_("Wellbeing services county"),
    PartnerKind.SERVICE_PROVIDER: N_("Service provider"),
    PartnerKind.STATE_AGENCY: N_("State agency"),
    PartnerKind.MUNICIPAL: N_("Municipal actor"),
    PartnerKind.EDUCATIONAL_INSTITUTION: N_("Educational institution"),
    PartnerKind.NGO: N_("Non-governmental organisation"),
    PartnerKind.PROJECT: N_("Project"),
    ServiceKind.LABOUR_MARKET_TRAINING: N_("Labour-market training"),
    ServiceKind.SELF_MOTIVATED_STUDY: N_("Self-motivated study"),
    ServiceKind.COACHING: N_("Coaching"),
    ServiceKind.CAREER_GUIDANCE: N_("Career and education guidance"),
    ServiceKind.ASSESSMENT: N_("Trial and assessment"),
    ServiceKind.WORK_TRIAL: N_("Work trial"),
    ServiceKind.WAGE_SUBSIDY: N_("Wage subsidy"),
    ServiceKind.REHABILITATIVE_WORK: N_("Rehabilitative work activity"),
    ServiceKind.STARTUP_GRANT: N_("Start-up grant"),
    ServiceKind.INTEGRATION_TRAINING: N_("Integration training"),
    ServiceKind.JOB_SEARCH_TRAINING: N_("Job-search training"),
    Production.OWN: N_("Own service"),
    Production.PURCHASED: N_("Purchased service"),
    ParticipationOutcome.ONGOING: N_("Ongoing"),
    ParticipationOutcome.COMPLETED: N_("Completed"),
    ParticipationOutcome.INTERRUPTED: N_("Interrupted"),
    ReferralStatus.SENT: N_("Sent"),
    ReferralStatus.CONFIRMED: N_("Confirmed"),
    ReferralStatus.DECLINED: N_("Declined"),
    ReferralStatus.CANCELLED: N_("Cancelled"),
    ServiceLine.JOB_BROKERAGE: N_("Job brokerage"),
    ServiceLine.SKILLS: N_("Skills development"),
    ServiceLine.MULTISECTOR: N_("Multi-sector services"),
    ServiceLine.YOUTH: N_("Youth services"),
    ServiceLine.IMMIGRANTS: N_("Immigrant services"),
    ServiceLine.ENTREPRENEURSHIP: N_("Entrepreneurship"),
    ServiceLine.EMPLOYER_SERVICES: N_("Employer services"),
    ServiceLine.ADMINISTRATION: N_("Administration"),
    DelegatedTask.LABOUR_POLICY_STATEMENT: N_("Labour-policy statement"),
    DelegatedTask.OBLIGATION_DECISION: N_("Job-search obligation decision"),
    DelegatedTask.SANCTION_NOTICE: N_("Notice of an omission"),
    DelegatedTask.WAGE_SUBSIDY_DECISION: N_("Wage-subsidy decision"),
    DelegatedTask.STARTUP_GRANT_DECISION: N_("Start-up grant decision"),
    DelegatedTask.TRAINING_SELECTION: N_("Selection to labour-market training"),
    ServicePointKind.OFFICE: N_("Office"),
    ServicePointKind.SERVICE_POINT: N_("Service point"),
    MeetingKind.INITIAL_INTERVIEW: N_("Initial interview"),
    MeetingKind.JOB_SEARCH_DISCUSSION: N_("Job-search discussion"),
    MeetingKind.SUPPLEMENTARY_DISCUSSION: N_("Supplementary job-search discussion"),
    MeetingKind.THREE_MONTH_CHECK: N_("Three-month check"),
    MeetingKind.OTHER: N_("Other meeting"),
    Channel.IN_PERSON: N_("In person"),
    Channel.PHONE: N_("Phone"),
    Channel.VIDEO: N_("Video"),
    Channel.CHAT: N_("Chat"),
    PlanKind.EMPLOYMENT: N_("Employment plan"),
    PlanKind.ACTIVATION: N_("Activation plan"),
    PlanKind.MULTISECTOR: N_("Multi-sector employment plan"),
    PlanKind.INTEGRATION: N_("Integration plan"),
    ServicePath.DIRECT_BROKERAGE: N_("Direct job brokerage"),
    ServicePath.SKILLS_DEVELOPMENT: N_("Skills development"),
    ServicePath.MULTISECTOR: N_("Multi-sector support"),
    ServicePath.ENTREPRENEURSHIP: N_("Entrepreneurship"),
    AuditAction.READ: N_("Read"),
    AuditAction.SEARCH: N_("Search"),
    AuditAction.CREATE: N_("Create"),
    AuditAction.UPDATE: N_("Update"),
    AuditAction.DELETE: N_("Delete"),
    AuditAction.EXPORT: N_("Export"),
    AuditAction.IMPORT: N_("Import"),
    AuditAction.LOGIN: N_("Sign-in"),
    AuditAction.LOGIN_FAILED: N_("Failed sign-in"),
    AuditAction.LOGOUT: N_("Sign-out"),
    AuditAction.ACCESS_REPORT: N_("Access report"),
    AuditPurpose.CASEWORK: N_("Casework"),
    AuditPurpose.JOB_BROKERAGE: N_("Job brokerage"),
    AuditPurpose.ADMINISTRATION: N_("Administration"),
    AuditPurpose.AUDIT_REVIEW: N_("Audit review"),
    AuditPurpose.DATA_SUBJECT_REQUEST: N_("Data subject's request"),
    AuditPurpose.AUTHENTICATION: N_("Authentication"),
}

_BY_VALUE: dict[tuple[type, str], str] = {(type(k), k.value): v for k, v in LABELS.items()}


def label_of(value: StrEnum | str) -> str:
    """The English msgid for an enum member (or the plain string when it is not one)."""
    if isinstance(value, StrEnum):
        return _BY_VALUE.get((type(value), value.value), value.value)
    return str(value)


def label_for(enum_cls: type[StrEnum], value: str) -> str:
    """The msgid for a stored value of an enum class (a raw string from the database)."""
    return _BY_VALUE.get((enum_cls, value), value)
