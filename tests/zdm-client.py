#!/usr/bin/python3
"""A re-implementation of Zerynth's Python device client (zerynth/zdm-client-py) for the
compatibility test (tests/test-zdm-compat.c). It is NOT Zerynth's code: it was written from the
facts recorded in shared/zdm-protocol.md (§1 connection, §2 topics, §3 messages, §4 jobs,
§5 conditions, §7 status maps), which were read from zdm-client-py at 3175556
(zdm/device/zdmclient.py, mqtt.py, credentials.py), and it does what those facts say, in the
same order, with the same library (paho-mqtt 1.x; Debian 12's python3-paho-mqtt 1.6.1):

- zdevice.json read as credentials.py does: devinfo.device_id, devinfo.mode (device_token or
  cloud_token; anything else is refused, as PY refuses it), key_id (default 0), key_type
  (default "sym"), prvkey, endpoint.host/port/mode (default "secure"), cacert written to a
  temporary file (PY never removes it; this one does, at exit);
- device_token: an HS256 JWT {"sub", "key", "exp": now + 3600} signed with base64-decoded
  prvkey, made once (with PyJWT, as PY does, when python3-jwt is installed; else by hand);
  cloud_token: prvkey sent as the password unchanged;
- mqtt.Client(device_id, clean_session=True), username_pw_set(device_id, password),
  tls_set(cacert, CERT_REQUIRED, PROTOCOL_TLSv1_2), connect(endpoint.host, endpoint.port),
  loop_start(), 2 s sleep, then: SUBSCRIBE j/dn/<id> QoS 1 (not waited for), PUBLISH #status,
  PUBLISH __manifest {"jobs", "conditions"} on j/up/<id>, every publish QoS 1 and waited for
  (wait_for_publish);
- j/dn handled as _handle_dn_msg: messages without key or value are dropped; "@name" runs the
  job (args unwrapped when present) and answers {"key": "@name", "value": result}; "#status"
  runs every "@" key of expected (none at all when "@fota" is there); "#now" goes to the
  timestamp callback; "#conditions" to the open-conditions callback;
- conditions: open {"uuid": str(time.time()*1000), "tag", "payload", "start":
  utcnow().isoformat("T")+"Z"}, close {"uuid", "payloadf", "finish"}.

One deliberate difference (zdm-protocol.md §1.6): PY HEAD publishes job answers from inside
paho's network-thread callback and then waits for a PUBACK only that thread can read, which
stalls. Here the callback queues the job and the main thread runs it and answers. With
--answer-in-callback, the job runs and is answered inside the callback without waiting for the
PUBACK, as the PyPI 1.0.1 client did. Likewise PY gives up when CONNACK has not come
2 s after connect(); this client says so ("slow_connack") and waits longer, so that a loaded
test machine does not fail the test for a reason that is not the server's protocol.

Driven line by line on stdin (a JSON array per line), it prints one JSON object per line:

  ["connect"]                  -> {"connack": rc}, {"ok": "connect"}
  ["publish", TAG, OBJECT]     -> {"ok": "publish"}
  ["now"]                      -> {"timestamp": value of #now}
  ["conditions"]               -> {"open_conditions": {uuid: {"tag", "start"}}}
  ["open", TAG, PAYLOAD]       -> {"opened": uuid, "start": ...}
  ["open", TAG, PAYLOAD, START] the same with the caller's start text, as Condition.open allows
  ["close", UUID, PAYLOADF]    -> {"closed": uuid, "finish": ...}
  ["disconnect"]               -> {"ok": "disconnect"}, then the program ends
  and, unasked: {"job": name, "args": args, "via": "status"|"direct"}, {"answered": name},
  {"dropped": message}, {"dn": message}, {"error": text}

Run with Debian's /usr/bin/python3."""

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import queue
import ssl
import sys
import tempfile
import threading
import time

import paho.mqtt.client as mqtt

# every wait is bounded so that the test never hangs on this program
WAIT_S = 60.0
PY_CONNACK_WAIT_S = 2.0

out_lock = threading.Lock()


def say(obj):
    with out_lock:
        print(json.dumps(obj), flush=True)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Credentials:
    """What credentials.py reads from zdevice.json, and the password it makes."""

    def __init__(self, path):
        with open(path) as f:
            nfo = json.load(f)
        self.device_id = nfo["devinfo"]["device_id"]
        self.mode = nfo["devinfo"]["mode"]
        self.key_id = nfo["devinfo"].get("key_id", 0)
        self.key_type = nfo["devinfo"].get("key_type", "sym")
        self.secret = nfo["prvkey"]
        self.host = nfo["endpoint"]["host"]
        self.port = nfo["endpoint"]["port"]
        # Fleetdesk's addition, for the WebSocket transport only
        self.https_port = nfo["endpoint"].get("https_port")
        self.endpoint_mode = nfo["endpoint"].get("mode", "secure")
        self.ca_path = None
        if self.endpoint_mode == "secure" and self.mode in ("device_token", "cloud_token"):
            cacert = nfo.get("cacert", "")
            if not cacert:
                raise Exception("Empty ca cert file")
            fd, self.ca_path = tempfile.mkstemp(suffix=".pem")
            with os.fdopen(fd, "w") as f:
                f.write(cacert)

    def password(self):
        if self.mode == "cloud_token":
            return self.secret
        if self.mode == "device_token":
            return self.generate_token()
        raise Exception("Unsupported mode")

    def generate_token(self):
        claims = {"sub": self.device_id, "key": self.key_id, "exp": int(time.time()) + 3600}
        key = base64.b64decode(self.secret)
        alg = "HS256" if self.key_type == "sym" else "ES256"
        try:
            import jwt  # python3-jwt, what PY uses

            return jwt.encode(claims, key, alg)
        except ImportError:
            if alg != "HS256":
                raise
            header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
            body = b64url(json.dumps(claims).encode())
            signing_input = (header + "." + body).encode("ascii")
            sig = hmac.new(key, signing_input, hashlib.sha256).digest()
            return header + "." + body + "." + b64url(sig)

    def configure(self, client):
        client.username_pw_set(self.device_id, self.password())
        if self.endpoint_mode == "secure":
            client.tls_set(ca_certs=self.ca_path, cert_reqs=ssl.CERT_REQUIRED,
                           tls_version=ssl.PROTOCOL_TLSv1_2)


def utc_now_text():
    return datetime.datetime.utcnow().isoformat("T") + "Z"


class Condition:
    """Condition.open/close/reset as zdmclient.py has them."""

    def __init__(self, device, tag):
        self.device = device
        self.tag = tag
        self.uuid = None
        self.reset()

    def reset(self):
        self.uuid = str(time.time() * 1000)

    def open(self, payload=None, start=None):
        start = start if start is not None else utc_now_text()
        self.device.send_up("condition", {"uuid": self.uuid, "tag": self.tag,
                                          "payload": payload, "start": start})
        return start

    def close(self, payload=None, finish=None):
        finish = finish if finish is not None else utc_now_text()
        self.device.send_up("condition", {"uuid": self.uuid, "payloadf": payload,
                                          "finish": finish})
        return finish


class Device:
    """ZDMClient with its MQTTClient: topics, connect sequence, dn handling."""

    def __init__(self, zdevice, jobs, condition_tags, websocket, answer_in_callback):
        self.cred = Credentials(zdevice)
        self.answer_in_callback = answer_in_callback
        self.jobs = jobs
        self.condition_tags = condition_tags
        self.websocket = websocket
        self.id = self.cred.device_id
        self.data_topic = "j/data/" + self.id
        self.up_topic = "j/up/" + self.id
        self.dn_topic = "j/dn/" + self.id
        self.work = queue.Queue()
        self.connected = threading.Event()
        self.conditions = {}
        transport = "websockets" if websocket else "tcp"
        self.client = mqtt.Client(self.id, clean_session=True, transport=transport)
        if websocket:
            self.client.ws_set_options(path="/mqtt")
        self.cred.configure(self.client)
        self.client.on_connect = self.on_connect
        self.client.on_disconnect = self.on_disconnect

    def on_connect(self, client, userdata, flags, rc):
        say({"connack": rc})
        if rc == 0:
            self.connected.set()

    def on_disconnect(self, client, userdata, rc):
        self.connected.clear()
        say({"disconnected": rc})

    def connect(self):
        port = self.cred.https_port if self.websocket else self.cred.port
        for _ in range(5):
            try:
                self.client.connect(self.cred.host, port, 60)
                break
            except Exception as e:  # a refused handshake, a closed socket
                say({"connect_error": str(e)})
        self.client.loop_start()
        if not self.connected.wait(PY_CONNACK_WAIT_S):
            say({"slow_connack": PY_CONNACK_WAIT_S})
            if not self.connected.wait(WAIT_S):
                raise Exception("Failed to connect")
        else:
            # PY sleeps its whole 2 s whatever happens
            time.sleep(PY_CONNACK_WAIT_S)
        self.client.message_callback_add(self.dn_topic, self.handle_dn_msg)
        self.client.subscribe(self.dn_topic, 1)
        self.send_up("#status", {})
        self.send_up("__manifest", {"jobs": list(self.jobs), "conditions": self.condition_tags})

    def publish(self, topic, payload, qos=1, wait=True):
        if isinstance(payload, dict):
            payload = json.dumps(payload)
        info = self.client.publish(topic, payload, qos=qos)
        if not wait:
            return
        info.wait_for_publish(WAIT_S)
        if not info.is_published():
            raise Exception("no PUBACK for %s within %d s" % (topic, WAIT_S))

    def send_up(self, key, value, wait=True):
        self.publish(self.up_topic, {"key": key, "value": value}, wait=wait)

    def publish_data(self, tag, payload):
        self.publish(self.data_topic + "/" + tag, payload)

    # j/dn, in paho's network thread: nothing here publishes (see the module comment)
    def handle_dn_msg(self, client, userdata, msg):
        try:
            payload = json.loads(msg.payload.decode("utf-8"))
        except ValueError:
            say({"error": "j/dn payload is not JSON: %r" % msg.payload})
            return
        if not isinstance(payload, dict) or "key" not in payload or "value" not in payload:
            say({"dropped": payload})
            return
        key, value = payload["key"], payload["value"]
        if key.startswith("@"):
            self.job(key[1:], value, "direct")
        elif key == "#status":
            self.handle_delta_status(value)
        elif key == "#now":
            self.on_timestamp(value)
        elif key == "#conditions":
            self.on_open_conditions(value)
        else:
            say({"dn": payload})

    def handle_delta_status(self, value):
        expected = value.get("expected") if "expected" in value else None
        if expected is None:
            return
        if "@fota" in expected:
            say({"dn": {"skipped": "@fota in expected: PY runs no job then"}})
            return
        for key, entry in expected.items():
            if key.startswith("@"):
                self.job(key[1:], entry["v"], "status")

    def on_timestamp(self, value):
        say({"timestamp": value})

    def on_open_conditions(self, value):
        # PY builds Condition objects (uuid, tag, start) from the reply and hands them over
        say({"open_conditions": value})

    def job(self, name, value, via):
        if self.answer_in_callback:
            self.run_job(name, value, via, in_callback=True)
        else:
            self.work.put(("job", name, value, via))

    def run_job(self, name, value, via, in_callback=False):
        if isinstance(value, dict) and "args" in value:
            args = value["args"]
        else:
            args = value  # PY warns and passes the whole value
        say({"job": name, "args": args, "via": via})
        if name in self.jobs:
            try:
                result = self.jobs[name](self, args)
            except Exception as e:
                result = {"error": str(e)}
        else:
            result = {"error": "job %s not supported" % name}
        # in paho's thread no PUBACK can be read while waiting: PyPI 1.0.1 did not wait
        self.send_up("@" + name, result, wait=not in_callback)
        say({"answered": name})


def job_adder(device, args):
    return {"sum": args["num1"] + args["num2"]}


def job_echo(device, args):
    return {"echo": args}


KNOWN_JOBS = {"adder": job_adder, "echo": job_echo}


def read_commands(work):
    for line in sys.stdin:
        line = line.strip()
        if line:
            work.put(("cmd", json.loads(line)))
    work.put(("cmd", ["disconnect"]))


def command(device, cmd):
    what = cmd[0]
    if what == "connect":
        device.connect()
        say({"ok": "connect"})
    elif what == "publish":
        device.publish_data(cmd[1], cmd[2])
        say({"ok": "publish"})
    elif what == "now":
        device.send_up("#now", {})
    elif what == "conditions":
        device.send_up("#conditions", {})
    elif what == "open":
        c = Condition(device, cmd[1])
        device.conditions[c.uuid] = c
        start = c.open(cmd[2], cmd[3] if len(cmd) > 3 else None)
        say({"opened": c.uuid, "start": start})
    elif what == "close":
        c = device.conditions.pop(cmd[1])
        finish = c.close(cmd[2])
        say({"closed": c.uuid, "finish": finish})
    elif what == "disconnect":
        device.client.disconnect()
        device.client.loop_stop()
        say({"ok": "disconnect"})
        return False
    else:
        raise Exception("unknown command %r" % (what,))
    return True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--zdevice", required=True, help="the zdevice.json file")
    p.add_argument("--job", action="append", default=[], choices=sorted(KNOWN_JOBS),
                   help="a job the device declares and runs")
    p.add_argument("--condition", action="append", default=[],
                   help="a condition tag the device declares")
    p.add_argument("--ws", action="store_true", help="MQTT over WebSocket at /mqtt")
    p.add_argument("--answer-in-callback", action="store_true",
                   help="run and answer jobs in paho's callback, not waiting (PyPI 1.0.1)")
    p.add_argument("--timeout", type=float, default=240, help="the whole run, at most")
    a = p.parse_args()

    def give_up():
        say({"error": "timed out after %g s" % a.timeout})
        os._exit(3)

    watchdog = threading.Timer(a.timeout, give_up)
    watchdog.daemon = True
    watchdog.start()

    device = Device(a.zdevice, {n: KNOWN_JOBS[n] for n in a.job}, a.condition, a.ws,
                    a.answer_in_callback)
    threading.Thread(target=read_commands, args=(device.work,), daemon=True).start()
    status = 0
    try:
        while True:
            item = device.work.get()
            if item[0] == "job":
                device.run_job(item[1], item[2], item[3])
            elif not command(device, item[1]):
                break
    except Exception as e:
        say({"error": "%s: %s" % (type(e).__name__, e)})
        status = 1
    finally:
        if device.cred.ca_path is not None:
            os.unlink(device.cred.ca_path)
    return status


if __name__ == "__main__":
    sys.exit(main())
