"""The TypedDicts name exactly the fields the server's OpenAPI document describes."""

from __future__ import annotations

import json
import typing
import unittest
import urllib.request

from zerobit.gate import types

from .support import BASE_URL, require_server


class TypesMatchOpenAPITest(unittest.TestCase):
    def setUp(self) -> None:
        require_server(self)
        with urllib.request.urlopen(BASE_URL + "/v1/openapi.json", timeout=10) as response:
            self.document = json.loads(response.read())

    def assert_same_keys(self, typed: type, schema: dict) -> None:
        self.assertEqual(set(typing.get_type_hints(typed)), set(schema["properties"]), typed.__name__)

    def test_response_shapes(self) -> None:
        schemas = self.document["components"]["schemas"]
        for name in ("GateSession", "CreatedGateSession", "EmbedBootstrap", "Branding"):
            with self.subTest(name=name):
                self.assert_same_keys(getattr(types, name), schemas[name])
        details = schemas["GateSession"]["properties"]["transaction_details"]
        self.assert_same_keys(types.TransactionDetails, details)

    def test_create_params_and_which_are_required(self) -> None:
        operation = self.document["paths"]["/gate_sessions"]["post"]
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        self.assert_same_keys(types.CreateSessionParams, schema)
        self.assertEqual(set(types.CreateSessionParams.__required_keys__), set(schema["required"]))
