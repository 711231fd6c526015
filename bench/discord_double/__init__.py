"""A local double of Discord's API and a harness that runs the real `rigfit run` process against it.

Shared by the end-to-end tests (tests/e2e) and `make bench` (its e2e load figures); not part of the wheel.
`double` is the API double, `spec` checks request bodies against Discord's OpenAPI description
(../shared/discord/openapi.json), `harness` starts the bot against the double and drives load through it.
"""
