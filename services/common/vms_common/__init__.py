"""Shared building blocks of the VMS services: contracts, messaging, logging, settings."""
