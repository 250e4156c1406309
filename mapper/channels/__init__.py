"""Channels turn what arrives (web form, API, SMS, forms) into intake Submissions."""
