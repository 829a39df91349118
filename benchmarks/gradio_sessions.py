"""Students without browsers for the Gradio app: a session that speaks Gradio's queue protocol
(sse_v3) the way the browser does, for the load test.

Why not gradio_client: it waits for each answer by polling every 50 ms and parses the app's
1.1 MB config per client, so an idle server seemed to take about 76 ms for a call that does no
work, and thirty clients spent a quarter of a 2-core machine on themselves. This client reads
the config once for every session, joins the queue with one POST, reads the answer from the
event stream as it arrives, and fetches output files as a page would display them.

The protocol (Gradio 6): POST {api_prefix}/queue/join with the event's inputs (every input of
the event listener, a gr.State as null), its fn_index and the session's hash; the answer comes on
GET {api_prefix}/queue/data?session_hash=..., a server-sent event stream of JSON messages
(estimation, process_starts, process_completed with the outputs). Settings left out take the
defaults that /gradio_api/info lists, as gradio_client does.
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any


class GradioCallError(RuntimeError):
    """The app answered with an error (a gr.Error's message), or not at all."""


@dataclass(frozen=True)
class Endpoint:
    fn_index: int
    parameters: tuple[tuple[str, Any], ...]  # (name, default) in order, State inputs left out
    state_positions: tuple[int, ...]  # where the event's gr.State inputs go
    state_outputs: tuple[int, ...]  # outputs that are gr.State: the server's own, not shown


class GradioApp:
    """What every session shares: the app's address and its endpoints, read once."""

    def __init__(self, base_url: str, timeout: float = 60.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        config = self._get_json("/config")
        self.api_prefix = config.get("api_prefix", "/gradio_api")
        info = self._get_json(f"{self.api_prefix}/info")["named_endpoints"]
        kinds = {component["id"]: component.get("type") for component in config["components"]}
        self.endpoints: dict[str, Endpoint] = {}
        for dependency in config["dependencies"]:
            name = f"/{dependency.get('api_name')}"
            if name not in info:
                continue
            parameters = tuple(
                (p["parameter_name"], p.get("parameter_default")) for p in info[name]["parameters"]
            )
            states = tuple(i for i, key in enumerate(dependency["inputs"]) if kinds.get(key) == "state")
            out_states = tuple(i for i, key in enumerate(dependency["outputs"]) if kinds.get(key) == "state")
            self.endpoints[name] = Endpoint(dependency["id"], parameters, states, out_states)

    def _get_json(self, path: str) -> Any:
        with urllib.request.urlopen(self.base_url + path, timeout=self.timeout) as answer:
            return json.load(answer)


class GradioSession:
    """One student's session: its own session hash, so its own gr.State on the server."""

    def __init__(self, app: GradioApp):
        self.app = app
        self.session_hash = uuid.uuid4().hex[:11]

    def predict(self, *args: Any, api_name: str, **kwargs: Any) -> list[Any]:
        """Call an endpoint; its outputs (files fetched). Raises GradioCallError on an error."""
        endpoint = self.app.endpoints[api_name]
        data = self._inputs(endpoint, args, kwargs)
        join = {
            "data": data,
            "fn_index": endpoint.fn_index,
            "session_hash": self.session_hash,
            "event_data": None,
            "trigger_id": None,
        }
        request = urllib.request.Request(
            f"{self.app.base_url}{self.app.api_prefix}/queue/join",
            data=json.dumps(join).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=self.app.timeout) as answer:
            event_id = json.load(answer)["event_id"]
        outputs = self._await(event_id)
        outputs = [value for i, value in enumerate(outputs) if i not in endpoint.state_outputs]
        for value in outputs:
            self._fetch_files(value)
        return outputs

    def upload(self, data: bytes, name: str = "upload.png") -> dict[str, Any]:
        """Send a file as the page's upload widget does; what an endpoint's file input takes."""
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            f"{self.app.base_url}{self.app.api_prefix}/upload",
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        with urllib.request.urlopen(request, timeout=self.app.timeout) as answer:
            path = json.load(answer)[0]
        return {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}

    def _inputs(self, endpoint: Endpoint, args: tuple, kwargs: dict) -> list[Any]:
        values = list(args)
        for name, default in endpoint.parameters[len(values) :]:
            values.append(kwargs.pop(name, default))
        if kwargs:
            raise TypeError(f"unknown settings {sorted(kwargs)}")
        for position in endpoint.state_positions:
            values.insert(position, None)
        return values

    def _await(self, event_id: str) -> list[Any]:
        url = f"{self.app.base_url}{self.app.api_prefix}/queue/data?session_hash={self.session_hash}"
        deadline = time.monotonic() + self.app.timeout
        with urllib.request.urlopen(url, timeout=self.app.timeout) as stream:
            for raw in stream:
                if time.monotonic() > deadline:
                    break
                line = raw.decode().strip()
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("event_id") != event_id or message.get("msg") != "process_completed":
                    continue
                output = message.get("output") or {}
                if not message.get("success", False):
                    raise GradioCallError(output.get("error") or "the app answered with an error")
                return output.get("data", [])
        raise GradioCallError(f"no answer for event {event_id} within {self.app.timeout:g} s")

    def _fetch_files(self, value: Any) -> None:
        """Download an output file, as the page showing it would."""
        if isinstance(value, dict) and value.get("url"):
            with urllib.request.urlopen(value["url"], timeout=self.app.timeout) as answer:
                answer.read()
        elif isinstance(value, list):
            for item in value:
                self._fetch_files(item)
