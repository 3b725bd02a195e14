"""HTTP request and response bodies (marshmallow at the edge only)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from services.registration.domain.identifiers import normalise_phone
from services.registration.domain.reference import DISTRICTS, LANGUAGES, canonical_district


class PhoneField(fields.Str):
    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return normalise_phone(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class SellerIn(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=2, max=200))
    organisation = fields.Str(load_default=None, validate=validate.Length(max=200))
    state = fields.Str(load_default="Jammu and Kashmir", validate=validate.OneOf(sorted(DISTRICTS)))
    district = fields.Str(required=True, validate=validate.Length(min=2, max=80))
    phone = PhoneField(required=True)
    email = fields.Email(load_default=None)
    preferred_language = fields.Str(load_default="en", validate=validate.OneOf(sorted(LANGUAGES)))

    @validates_schema(skip_on_field_errors=False)
    def _district_in_state(self, data, **_):
        if "district" in data and "state" in data and not canonical_district(data["state"], data["district"]):
            raise ValidationError(f"Not a district of {data['state']}.", field_name="district")

    @post_load
    def _canonical_district(self, data, **_):
        return {**data, "district": canonical_district(data["state"], data["district"])}


class ParticipantOut(Schema):
    id = fields.Str()
    role = fields.Str()
    name = fields.Str()
    organisation = fields.Str(allow_none=True)
    district = fields.Str(allow_none=True)
    state = fields.Str(allow_none=True)
    country = fields.Str()
    phone = fields.Str(allow_none=True)
    email = fields.Str(allow_none=True)
    preferred_language = fields.Str()
    registered_at = fields.AwareDateTime()
    version = fields.Int()
