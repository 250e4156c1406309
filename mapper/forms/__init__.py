"""Volunteer forms: definitions, answers, photos, XForms."""
