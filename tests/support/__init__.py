"""Helpers shared by the test suites: the signed client API caller (client), the documented request samples and
table snapshots (client_api), delivered projects and sent mail (delivery), a running engine with annotators
(engine), a callback endpoint (callback_receiver), and waiting on the emulated platform or moving its clock
(timing)."""
