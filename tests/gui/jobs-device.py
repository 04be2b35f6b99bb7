#!/usr/bin/python3
"""A device for the Jobs and Variables GUI test (tests/gui/test-gui-jobs.c): MQTT over TLS with
the cloud_token credential of a zdevice.json, on Debian's paho-mqtt 1.6.

usage: jobs-device.py ZDEVICE_JSON

It connects (client id = user name = device id), subscribes to j/dn/<id>, sends #status and
__manifest {"jobs": ["echo", "sleep"]}, and then:
- answers @echo at once with {"echo": <args>} (from j/dn or the #status reply's expected map);
- never answers @sleep (a job that stays sent, to be canceled);
- keeps every plain key the server asks for (a variable) without applying it, until the line
  "apply" comes on standard input: then it reports each one back with its value, as a device
  that applied it;
- ends at "quit" or at the end of its input.
It prints one JSON object per line: {"connected": rc}, {"job": name}, {"variable": key},
{"applied": [keys]}, {"error": text}.
"""
import json
import ssl
import sys
import tempfile
import threading

import paho.mqtt.client as mqtt

WAIT_S = 30.0
lock = threading.Lock()


def say(obj):
    with lock:
        print(json.dumps(obj), flush=True)


def main():
    with open(sys.argv[1]) as f:
        zdevice = json.load(f)
    device_id = zdevice["devinfo"]["device_id"]
    endpoint = zdevice["endpoint"]
    ca = tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False)
    ca.write(zdevice["cacert"])
    ca.close()

    up, dn = "j/up/" + device_id, "j/dn/" + device_id
    variables = {}
    connected = threading.Event()
    client = mqtt.Client(device_id, clean_session=True)
    client.username_pw_set(device_id, zdevice["prvkey"])
    client.tls_set(ca_certs=ca.name, cert_reqs=ssl.CERT_REQUIRED,
                   tls_version=ssl.PROTOCOL_TLSv1_2)

    def send(key, value):
        client.publish(up, json.dumps({"key": key, "value": value}), qos=1)

    def handle(key, value):
        if key.startswith("@"):
            say({"job": key[1:]})
            if key == "@echo":
                args = value.get("args", {}) if isinstance(value, dict) else {}
                send(key, {"echo": args})
        elif not key.startswith("#") and not key.startswith("_"):
            with lock:
                variables[key] = value
            say({"variable": key})

    def on_connect(c, userdata, flags, rc):
        say({"connected": rc})
        if rc == 0:
            connected.set()

    def on_message(c, userdata, msg):
        try:
            message = json.loads(msg.payload.decode("utf-8"))
            key, value = message["key"], message["value"]
        except (ValueError, KeyError, TypeError) as e:
            say({"error": "bad down-message %r: %s" % (msg.payload, e)})
            return
        if key == "#status":
            for k, entry in value.get("expected", {}).items():
                handle(k, entry.get("v"))
        else:
            handle(key, value)

    client.on_connect = on_connect
    client.on_message = on_message
    client.connect(endpoint["host"], endpoint["port"], 60)
    client.loop_start()
    if not connected.wait(WAIT_S):
        say({"error": "no CONNACK"})
        return 1
    client.subscribe(dn, 1)
    send("#status", {})
    send("__manifest", {"jobs": ["echo", "sleep"]})

    for line in sys.stdin:
        command = line.strip()
        if command == "apply":
            with lock:
                applied = dict(variables)
                variables.clear()
            for key, value in applied.items():
                send(key, value)
            say({"applied": sorted(applied)})
        elif command == "quit":
            break
    client.disconnect()
    client.loop_stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
