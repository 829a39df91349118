"""Helpers that an export ships beside a lab's predict.py (core.export): each module here
imports nothing but torch and the standard library, so it runs outside this app."""
