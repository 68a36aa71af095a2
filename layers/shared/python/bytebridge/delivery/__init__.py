"""Delivering results to clients: the results view, acceptance, signed callbacks, e-mail notices and
retention. Domain code only; the handlers live in functions/client_api and functions/scheduled."""
