"""HTTP request and response bodies (marshmallow at the edge only)."""
from __future__ import annotations

from decimal import Decimal

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from shared.gi_tags import registry_name
from shared.json_types import JsonBool, JsonInt
from shared.money import CURRENCIES_IN_USE, CURRENCY_ERROR
from shared.pagination import sort_choices
from shared.text import Email, MultiLine, SingleLine, blank_pattern, text_pattern
from shared.timezones import ClockTime, TimeZone

from services.registration.domain import applications, meets, participants
from services.registration.domain.identifiers import (
    GSTIN_PATTERN, IEC_PATTERN, PHONE_PATTERN, UDYAM_PATTERN, normalise_gstin, normalise_iec, normalise_phone, normalise_udyam, phone_region,
)
from services.registration.domain import reference, vocabularies
from services.registration.domain.reference import GI_TAGS, JAMMU_AND_KASHMIR, LANGUAGES, canonical_district

COUNTRY_CODE_ERROR = "An ISO 3166-1 alpha-2 country code such as IN or DE."
PARTICIPANT_SORTABLE = ("name", "registered_at", "district")
MEET_SORTABLE = ("created_at", "name", "city")
APPLICATION_SORTABLE = ("applied_at", "status")


def _normalised(normalise, pattern: str, context=None):
    """A text field that hands on ``normalise(text)``, or ``normalise(text, context(record))``
    with ``context`` (``record``: the fields given beside it); ``pattern`` (for the OpenAPI
    document) is the normalised form, which it takes as given."""

    class Normalised(SingleLine):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.metadata = {"pattern": pattern, **self.metadata}

        def _deserialize(self, value, attr, data, **kwargs):
            try:
                text = super()._deserialize(value, attr, data, **kwargs)
                return normalise(text) if context is None else normalise(text, context(data))
            except ValueError as exc:
                raise ValidationError(str(exc)) from exc

    return Normalised


class GiTag(SingleLine):
    """A GI tag by its registry name (``shared/gi_tags.py``); a name the platform used
    before (``Kashmir Papier Mache``) is taken as the registry's (``Kashmir Paper Machie``)."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.OneOf(GI_TAGS), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return registry_name(super()._deserialize(value, attr, data, **kwargs))


Phone = _normalised(normalise_phone, PHONE_PATTERN, context=phone_region)
Gstin = _normalised(normalise_gstin, GSTIN_PATTERN)
Udyam = _normalised(normalise_udyam, UDYAM_PATTERN)
Iec = _normalised(normalise_iec, IEC_PATTERN)
Language = lambda **kw: SingleLine(validate=validate.OneOf(sorted(LANGUAGES)), **kw)  # noqa: E731
Name = lambda **kw: SingleLine(validate=validate.Length(min=2, max=200), **kw)  # noqa: E731


class AmountField(SingleLine):
    """Money amounts as decimal strings (``"1250.50"``); numbers are accepted if integral,
    and the OpenAPI document says both."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        as_text = {"type": "string", "pattern": r"^[0-9]{1,15}(\.[0-9]{1,2})?$"}
        self.metadata = {"json_schema": {"anyOf": [as_text, {"type": "integer", "minimum": 0, "maximum": 10**15 - 1}]}, **self.metadata}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, float) or isinstance(value, bool):
            raise ValidationError('Give amounts as a string such as "1250.50".')
        if isinstance(value, str):
            value = super()._deserialize(value, attr, data, **kwargs)
        try:
            amount = Decimal(str(value).replace(",", ""))
        except ArithmeticError:
            raise ValidationError("Not an amount.") from None
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e15"):
            raise ValidationError("Not an amount.")
        return str(amount.quantize(Decimal("0.01")))


class Quantity(Schema):
    value = AmountField(required=True)
    unit = SingleLine(required=True, validate=validate.Length(min=1, max=20), metadata={"example": "kg"})


class PriceBand(Schema):
    min = AmountField(required=True)
    max = AmountField(required=True)
    currency = SingleLine(load_default="INR", validate=validate.OneOf(CURRENCIES_IN_USE, error=CURRENCY_ERROR))
    unit = SingleLine(required=True, validate=validate.Length(min=1, max=20), metadata={"example": "piece"})

    @validates_schema
    def _ordered(self, data, **_):
        if Decimal(data["min"]) > Decimal(data["max"]):
            raise ValidationError("min is above max.", field_name="min")


class Product(Schema):
    id = SingleLine(dump_only=True)
    name = Name(required=True)
    odop_product = SingleLine(load_default=None, validate=validate.Length(max=120))
    category = SingleLine(required=True, validate=validate.OneOf(participants.CATEGORIES))
    district = SingleLine(load_default=None)
    gi_tag = GiTag(load_default=None)
    certifications = fields.List(SingleLine(validate=validate.OneOf(participants.CLAIM_KINDS)), load_default=list)
    monthly_capacity = fields.Nested(Quantity, load_default=None)
    minimum_order = fields.Nested(Quantity, load_default=None)
    price_band = fields.Nested(PriceBand, load_default=None)
    export_ready = JsonBool(load_default=False)


class SourcingNeeds(Schema):
    categories = fields.List(SingleLine(validate=validate.OneOf(participants.CATEGORIES)), load_default=list)
    products = fields.List(SingleLine(validate=validate.Length(max=120)), load_default=list)
    annual_volume = fields.Nested(Quantity, load_default=None)
    price_band = fields.Nested(PriceBand, load_default=None)
    required_certifications = fields.List(SingleLine(validate=validate.OneOf(participants.CLAIM_KINDS)), load_default=list)
    gi_tags = fields.List(GiTag(), load_default=list)
    destination_markets = fields.List(SingleLine(validate=validate.OneOf(vocabularies.COUNTRY_CODES, error=COUNTRY_CODE_ERROR)), load_default=list, metadata={
        "description": "Countries the buyer sells into, by ISO 3166-1 alpha-2 code in capitals (DE, AE)"})


def _exact_state(given: str) -> str | None:
    """The state of India ``given`` names by its name (any case, with or without diacritics)
    or ISO 3166-2 code; a close spelling is not taken here (imports map those and say so)."""
    found = vocabularies.indian_state(given)
    return found.canonical if found is not None and found.how != "close spelling" else None


class _Located(Schema):
    """Where a participant is: a state of India whose districts an organiser loaded, and a
    district of it (sellers; ``_in_india`` decides for buyers)."""

    state = SingleLine(load_default=JAMMU_AND_KASHMIR, validate=validate.Length(min=2, max=80))
    district = SingleLine(load_default=None, validate=validate.Length(min=2, max=80))

    def _in_india(self, data) -> bool:
        return True

    def _districts_required(self, data) -> bool:
        return True

    @pre_load
    def _canonical_state(self, data, **_):
        if isinstance(data, dict) and isinstance(data.get("state"), str) and self._in_india(data):
            data = {**data, "state": _exact_state(data["state"]) or data["state"]}
        return data

    @validates_schema(skip_on_field_errors=False)
    def _district_in_state(self, data, **_):
        state, district = data.get("state"), data.get("district")
        if state is None or not self._in_india(data):
            return
        loaded = reference.current().districts
        if state not in loaded:
            if self._districts_required(data):
                raise ValidationError(f"No districts are loaded for {state}: an organiser can load them.", field_name="state")
            if state not in vocabularies.INDIAN_STATES:
                raise ValidationError("Not a state or union territory of India (ISO 3166-2:IN).", field_name="state")
        elif district and not canonical_district(state, district):
            raise ValidationError(f"Not a district of {state}.", field_name="district")

    @post_load
    def _canonical_district(self, data, **_):
        if data.get("district") and data.get("state") in reference.current().districts:
            data = {**data, "district": canonical_district(data["state"], data["district"])}
        return data


class SellerIn(_Located):
    name = Name(required=True)
    organisation = SingleLine(load_default=None, validate=validate.Length(max=200))
    district = SingleLine(required=True, validate=validate.Length(min=2, max=80))
    enterprise_kind = SingleLine(load_default="artisan", validate=validate.OneOf(participants.ENTERPRISE_KINDS))
    phone = Phone(required=True)
    email = Email(load_default=None)
    preferred_language = Language(load_default="en")
    languages = fields.List(Language(), load_default=list)
    share_contact = JsonBool(load_default=True, metadata={"description": "Counterparts of a confirmed meeting see this phone and email (default); false keeps them hidden"})
    gstin = Gstin(load_default=None)
    udyam = Udyam(load_default=None)
    iec = Iec(load_default=None)
    products = fields.List(fields.Nested(Product), load_default=list, validate=validate.Length(max=50))


class BuyerIn(_Located):
    """A buyer: in India, a state or union territory (checked; its district is checked too
    where an organiser loaded the state's districts; Jammu and Kashmir when not given);
    elsewhere, the state or region and district as the buyer writes them, if at all."""

    name = Name(required=True)
    organisation = SingleLine(required=True, validate=validate.Length(min=2, max=200))
    buyer_kind = SingleLine(required=True, validate=validate.OneOf(participants.BUYER_KINDS))
    country = SingleLine(load_default="IN", validate=validate.OneOf(vocabularies.COUNTRY_CODES, error=COUNTRY_CODE_ERROR))
    state = SingleLine(load_default=None, validate=validate.Length(min=2, max=80), metadata={
        "description": "In India, a state or union territory by name or ISO 3166-2 code (Jammu and Kashmir if not given); elsewhere, as written"})
    international = JsonBool(load_default=False)
    phone = Phone(load_default=None)
    email = Email(load_default=None)
    preferred_language = Language(load_default="en")
    languages = fields.List(Language(), load_default=list)
    share_contact = JsonBool(load_default=True, metadata={"description": "Counterparts of a confirmed meeting see this phone and email (default); false keeps them hidden"})
    gstin = Gstin(load_default=None)
    iec = Iec(load_default=None)
    sourcing = fields.Nested(SourcingNeeds, load_default=dict)

    class Meta:
        json_schema = {"anyOf": [
            {"required": ["phone"], "properties": {"phone": {"type": "string"}}},
            {"required": ["email"], "properties": {"email": {"type": "string"}}},
        ]}

    def _in_india(self, data) -> bool:
        return data.get("country", "IN") == "IN"

    def _districts_required(self, data) -> bool:
        return False

    @pre_load
    def _domestic_state(self, data, **_):
        if isinstance(data, dict) and data.get("state") is None and data.get("country", "IN") == "IN":
            data = {**data, "state": JAMMU_AND_KASHMIR}
        return data


class ClaimSchema(Schema):
    id = SingleLine(dump_only=True)
    kind = SingleLine(required=True, validate=validate.OneOf(participants.CLAIM_KINDS))
    number = SingleLine(required=True, validate=validate.Length(min=3, max=60))
    valid_until = fields.Date(load_default=None)
    product = SingleLine(load_default=None, validate=validate.Length(max=200))
    status = SingleLine(dump_only=True)
    reviewed_by = SingleLine(dump_only=True, allow_none=True)
    note = SingleLine(dump_only=True, allow_none=True)


class ClaimReview(Schema):
    verified = JsonBool(required=True)
    note = MultiLine(load_default=None, validate=validate.Length(max=500))


class EcommerceStatus(Schema):
    status = SingleLine(required=True, validate=validate.OneOf(participants.ECOMMERCE_STATUSES))


class PublicParticipantOut(Schema):
    """What other participants may see: never contact details or identifiers."""

    id = fields.Str()
    role = fields.Str()
    name = fields.Str()
    organisation = fields.Str(allow_none=True)
    enterprise_kind = fields.Str(allow_none=True)
    buyer_kind = fields.Str(allow_none=True)
    district = fields.Str(allow_none=True)
    state = fields.Str(allow_none=True)
    country = fields.Str()
    languages = fields.List(fields.Str())
    products = fields.List(fields.Nested(Product))
    sourcing = fields.Nested(SourcingNeeds)


class StaffActionOut(Schema):
    action = fields.Str()
    by = fields.Str()
    at = fields.AwareDateTime()
    method = fields.Str(allow_none=True)
    note = fields.Str(allow_none=True)


class ParticipantOut(PublicParticipantOut):
    """What the participant themselves and staff see: the public profile plus contacts and identifiers."""

    international = fields.Bool()
    phone = fields.Str(allow_none=True)
    email = fields.Str(allow_none=True)
    share_contact = fields.Bool()
    preferred_language = fields.Str()
    gstin = fields.Str(allow_none=True)
    udyam = fields.Str(allow_none=True)
    iec = fields.Str(allow_none=True)
    claims = fields.List(fields.Nested(ClaimSchema))
    ecommerce = fields.Dict(keys=fields.Str(), values=fields.Str())
    contact_verified = fields.Bool()
    staff_actions = fields.List(fields.Nested(StaffActionOut), metadata={"description": "What staff did on the participant's behalf (audit trail, newest last)."})
    registered_at = fields.AwareDateTime()
    version = fields.Int()


class ParticipantQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    district = SingleLine()
    category = SingleLine(validate=validate.OneOf(participants.CATEGORIES))
    enterprise_kind = SingleLine(validate=validate.OneOf(participants.ENTERPRISE_KINDS))
    buyer_kind = SingleLine(validate=validate.OneOf(participants.BUYER_KINDS))
    country = SingleLine(validate=validate.OneOf(vocabularies.COUNTRY_CODES, error=COUNTRY_CODE_ERROR))
    contact_verified = fields.Bool()
    sort = SingleLine(validate=validate.OneOf(sort_choices(PARTICIPANT_SORTABLE)))


class VerificationRequest(Schema):
    channel = SingleLine(load_default=None, validate=validate.OneOf(("sms", "email")))


class VerificationCode(Schema):
    code = SingleLine(required=True, validate=validate.Regexp(r"^[0-9]{6}$", error="The code has 6 digits."))


class StaffVerification(Schema):
    method = SingleLine(required=True, validate=validate.OneOf(participants.STAFF_VERIFICATION_METHODS), metadata={"description": "How staff checked the contact."})
    note = MultiLine(load_default=None, allow_none=True, validate=validate.Length(max=500))


class TokenOut(Schema):
    token = fields.Str()
    participant_id = fields.Str()


class BreakSchema(Schema):
    start = ClockTime(required=True)
    end = ClockTime(required=True)


class MeetIn(Schema):
    name = Name(required=True)
    venue = SingleLine(required=True, validate=validate.Length(min=2, max=200))
    city = SingleLine(required=True, validate=validate.Length(min=2, max=80))
    timezone = TimeZone(load_default="Asia/Kolkata", metadata={"description": "IANA time zone name of the venue", "example": "Asia/Kolkata"})
    days = fields.List(fields.Date(), required=True, validate=validate.Length(min=1, max=10))
    session_start = ClockTime(required=True)
    session_end = ClockTime(required=True)
    meeting_minutes = JsonInt(required=True, validate=validate.Range(min=5, max=240))
    gap_minutes = JsonInt(load_default=0, validate=validate.Range(min=0, max=120))
    reminder_minutes = JsonInt(load_default=30, validate=validate.Range(min=5, max=1440), metadata={"description": "How long before each meeting its reminder goes out"})
    breaks = fields.List(fields.Nested(BreakSchema), load_default=list, validate=validate.Length(max=10))
    tables = JsonInt(required=True, validate=validate.Range(min=1, max=2000))
    capacity_sellers = JsonInt(required=True, validate=validate.Range(min=1, max=100000))
    capacity_buyers = JsonInt(required=True, validate=validate.Range(min=1, max=100000))
    registration_opens = fields.AwareDateTime(load_default=None)
    registration_closes = fields.AwareDateTime(load_default=None)
    historical = JsonBool(load_default=False, metadata={"description": "Records a meet that already happened (its days are past): nobody is notified and no follow-up already past is scheduled. Set on create only."})


class SlotSchema(Schema):
    id = fields.Str()
    day = fields.Date()
    start = ClockTime()
    end = ClockTime()


class SlotsOut(Schema):
    items = fields.List(fields.Nested(SlotSchema), metadata={"description": "The meet's slots in order"})


class AvailabilityFollowedOut(Schema):
    changed = fields.Int(metadata={"description": "Applications whose availability changed (each announced with a new version)"})
    without_slots = fields.Int(metadata={"description": "Of those, how many are left with no slot: kept, but nobody can meet them until they choose slots again"})
    complete = fields.Bool(metadata={"description": "False if some applications kept changing meanwhile: they are brought onto the slots at the meet's next edit or status change"})


class MeetOut(MeetIn):
    id = fields.Str()
    status = fields.Str()
    version = fields.Int()
    created_at = fields.AwareDateTime()
    approved = fields.Dict(keys=fields.Str(), values=fields.Int())
    availability_followed = fields.Nested(AvailabilityFollowedOut, metadata={
        "description": "In the answer to an edit: what became of the applications' availability when the edit changed the slots (see the README)"})
    slots = fields.Method("_slots")

    def _slots(self, meet) -> list:
        return SlotSchema(many=True).dump(meet.slots())


class MeetQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    status = SingleLine(validate=validate.OneOf(meets.STATUSES))
    city = SingleLine()
    sort = SingleLine(validate=validate.OneOf(sort_choices(MEET_SORTABLE)))


class StatusChange(Schema):
    status = SingleLine(required=True, validate=validate.OneOf(meets.STATUSES))




class Decision(Schema):
    decision = SingleLine(required=True, validate=validate.OneOf(sorted(applications.DECISIONS)))
    reason = MultiLine(load_default=None, validate=validate.Length(max=500))


class Availability(fields.Field):
    """The slot ids one can attend, or ``"all"`` for every slot of the meet."""

    def __init__(self, **kwargs):
        metadata = {"description": 'Slot ids, or "all" for every slot of the meet', "oneOf": [
            {"type": "array", "items": {"type": "string", "pattern": text_pattern(), "not": {"pattern": blank_pattern()}}, "minItems": 1, "maxItems": 500}, {"type": "string", "enum": ["all"]},
        ]}
        super().__init__(metadata=metadata, **kwargs)
        self._slots = fields.List(SingleLine(), validate=validate.Length(min=1, max=500))

    def _deserialize(self, value, attr, data, **kwargs):
        if value == applications.ALL_SLOTS:
            return value
        if not isinstance(value, list):
            raise ValidationError('A list of slot ids, or "all".')
        return self._slots.deserialize(value, attr, data, **kwargs)


class AvailabilityIn(Schema):
    availability = Availability(required=True)


class ApplicationIn(AvailabilityIn):
    participant_id = SingleLine(load_default=None, metadata={"description": "Organisers apply on someone's behalf; participants omit it."})


class BulkApplicationItem(Schema):
    participant_id = SingleLine(required=True)
    availability = Availability(required=True)


class BulkDecisionItem(Decision):
    participant_id = SingleLine(required=True)


class Withdrawal(Schema):
    reason = MultiLine(load_default=None, validate=validate.Length(max=500))


class ApplicationOut(Schema):
    id = fields.Str()
    meet_id = fields.Str()
    participant_id = fields.Str()
    role = fields.Str()
    availability = fields.List(fields.Str())
    status = fields.Str()
    reason = fields.Str(allow_none=True)
    decided_by = fields.Str(allow_none=True)
    applied_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)
    version = fields.Int()
    all_slots = fields.Bool(allow_none=True, metadata={"description": "Whether the applicant chose every slot (\"all\"): they keep every slot when the meet's slots change; null for applications made before this was recorded"})


class ApplicationQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    status = SingleLine(validate=validate.OneOf(sorted(applications.ALLOWED)))
    role = SingleLine(validate=validate.OneOf((participants.SELLER, participants.BUYER)))
    sort = SingleLine(validate=validate.OneOf(sort_choices(APPLICATION_SORTABLE)))


class MappedValueOut(Schema):
    field = fields.Str(metadata={"description": "The value's place in the row, e.g. preferred_language, languages.1, products.0.gi_tag"})
    given = fields.Str(metadata={"example": "Kashmir Hand Knotted Carpet"})
    canonical = fields.Str(metadata={"example": "Kashmiri Hand Knotted Carpet"})
    how = fields.Str(metadata={"description": "code, name (a listed name or alias) or close spelling"})


class RowOutcomeOut(Schema):
    row = fields.Int()
    status = fields.Str(metadata={"description": "created, existing or refused"})
    participant_id = fields.Str(allow_none=True)
    errors = fields.Dict()
    mapped = fields.List(fields.Nested(MappedValueOut), metadata={"description": "Languages and GI tags given by name, alias or spelling, and what each was taken as"})


class ImportReport(Schema):
    batch_id = fields.Str()
    counts = fields.Dict(keys=fields.Str(), values=fields.Int())
    rows = fields.List(fields.Nested(RowOutcomeOut))


class FieldBatchOut(ImportReport):
    """A field batch as stored: who collected it and when, and its last upload's report."""

    collected_by = fields.Str()
    collected_at = fields.AwareDateTime(allow_none=True)
    uploaded_at = fields.AwareDateTime(metadata={"description": "when its last upload was imported"})
    uploads = fields.Int(metadata={"description": "how many times it was uploaded"})


class ImportJobOut(Schema):
    id = fields.Str()
    kind = fields.Str(metadata={"description": "csv (sellers), buyer_csv or field_batch"})
    status = fields.Str(metadata={"description": "running, done or failed"})
    rows_total = fields.Int()
    rows_done = fields.Int()
    counts = fields.Dict(keys=fields.Str(), values=fields.Int())
    batch_id = fields.Str()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    finished_at = fields.AwareDateTime(allow_none=True)
    error = fields.Dict(metadata={"description": "problem details of the last interruption"})
    report = fields.Nested(ImportReport, metadata={"description": "once done"})


class FieldBatchIn(Schema):
    batch_id = SingleLine(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.:-]{4,80}$"))
    collected_by = SingleLine(required=True, validate=validate.Length(min=2, max=120))
    collected_at = fields.AwareDateTime(load_default=None)
    rows = fields.List(fields.Dict(metadata={"validated_as": "SellerIn"}), required=True, validate=validate.Length(min=1, max=5000), metadata={"description": "Sellers as POST /v1/sellers takes them, each checked on its own"})


class CsvUpload(Schema):
    """``text/csv`` with a header row; columns as listed in the API description. Its
    charset is the Content-Type's ``charset`` if given, else a byte order mark's (UTF-8,
    UTF-16, UTF-32), else UTF-8, else detected; fields are separated by commas, semicolons,
    tabs or vertical bars (found from the header). ``languages`` lists several in one cell
    (``Kashmiri, Urdu``; without ``preferred_language`` the first is preferred); languages go by ISO 639 code, English name or their own name,
    GI tags by the registry's name or a common spelling, categories and kinds by code or as
    words, countries by ISO code or name and states of India by name, ISO code or former
    name, and the report says what each was taken as."""


class StateIn(Schema):
    state = SingleLine(required=True, validate=validate.OneOf(vocabularies.INDIAN_STATES, error="Not a state or union territory of India (ISO 3166-2:IN)."))
    districts = fields.List(SingleLine(validate=validate.Length(min=2, max=80)), required=True, validate=validate.Length(min=1, max=200))
    odop_products = fields.Dict(keys=SingleLine(validate=validate.Length(min=2, max=80)), values=fields.List(SingleLine(validate=validate.Length(min=2, max=120))), load_default=dict)

    @validates_schema
    def _odop_districts_known(self, data, **_):
        unknown = sorted(set(data.get("odop_products", {})) - set(data.get("districts", [])))
        if unknown:
            raise ValidationError(f"Not districts of this state: {', '.join(unknown[:5])}.", field_name="odop_products")
