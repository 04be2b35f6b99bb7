#!/usr/bin/python3
"""A paho-mqtt 1.x client for the MQTT tests (test-mqtt.c): connects, subscribes, publishes,
waits for down-messages, and prints what happened as one JSON object per line:

  {"connack": rc}  {"suback": [codes]}  {"puback": mid}  {"message": {"topic", "payload"}}
  {"disconnected": rc}

Run with Debian's /usr/bin/python3 (python3-paho-mqtt 1.6.1)."""

import argparse
import json
import sys
import threading

import paho.mqtt.client as mqtt


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="localhost")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--id", required=True)
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--ws", action="store_true", help="MQTT over WebSocket at /mqtt")
    p.add_argument("--subscribe", action="append", default=[])
    p.add_argument("--publish", nargs=3, action="append", default=[],
                   metavar=("TOPIC", "PAYLOAD", "QOS"))
    p.add_argument("--messages", type=int, default=0, help="down-messages to wait for")
    p.add_argument("--timeout", type=float, default=20)
    a = p.parse_args()

    lock = threading.Lock()
    done = threading.Event()
    state = {"messages": 0, "subacks": 0, "pubacks": 0}

    def say(obj):
        with lock:
            print(json.dumps(obj), flush=True)

    def check_done():
        if (state["subacks"] >= len(a.subscribe) and state["pubacks"] >= sum(
                1 for t in a.publish if t[2] != "0") and state["messages"] >= a.messages):
            done.set()

    c = mqtt.Client(client_id=a.id, clean_session=True,
                    transport="websockets" if a.ws else "tcp")
    c.tls_set(ca_certs=a.ca, certfile=a.cert, keyfile=a.key)
    if a.ws:
        c.ws_set_options(path="/mqtt")
    if a.user is not None:
        c.username_pw_set(a.user, a.password)

    subscribed = threading.Event()

    def on_connect(client, userdata, flags, rc):
        say({"connack": rc})
        if rc != 0:
            done.set()
            subscribed.set()
            return
        for t in a.subscribe:
            client.subscribe(t, 1)
        if not a.subscribe:
            subscribed.set()

    def on_subscribe(client, userdata, mid, granted):
        say({"suback": list(granted)})
        state["subacks"] += 1
        if state["subacks"] >= len(a.subscribe):
            subscribed.set()
        check_done()

    def on_publish(client, userdata, mid):
        say({"puback": mid})
        state["pubacks"] += 1
        check_done()

    def on_message(client, userdata, msg):
        try:
            payload = json.loads(msg.payload)
        except ValueError:
            payload = msg.payload.decode("utf-8", "replace")
        say({"message": {"topic": msg.topic, "payload": payload}})
        state["messages"] += 1
        check_done()

    def on_disconnect(client, userdata, rc):
        say({"disconnected": rc})
        done.set()

    c.on_connect = on_connect
    c.on_subscribe = on_subscribe
    c.on_publish = on_publish
    c.on_message = on_message
    c.on_disconnect = on_disconnect
    try:
        c.connect(a.host, a.port, 60)
    except Exception as e:  # a refused TLS handshake, a closed socket
        say({"error": str(e)})
        return 1
    c.loop_start()
    if subscribed.wait(a.timeout):
        for topic, payload, qos in a.publish:
            c.publish(topic, payload, qos=int(qos))
        if not a.publish:
            check_done()
    ok = done.wait(a.timeout)
    c.disconnect()
    c.loop_stop()
    return 0 if ok else 3


if __name__ == "__main__":
    sys.exit(main())
