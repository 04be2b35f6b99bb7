#!/usr/bin/env python3
"""A device on one HTTPS connection that stays open, for the GUI tests' presence checks.

usage: https-device.py HOST PORT CA CERT KEY
Reads requests from standard input, one per line: "POST /v1/data/weather {json}"; sends each
on the same keep-alive connection with the client certificate and prints the answer's status.
The connection closes at end of input (the device goes offline).
"""
import http.client
import ssl
import sys


def main():
    host, port, ca, cert, key = sys.argv[1:6]
    context = ssl.create_default_context(cafile=ca)
    context.load_cert_chain(cert, key)
    connection = http.client.HTTPSConnection(host, int(port), context=context, timeout=30)
    connection.connect()
    print("connected", flush=True)
    for line in sys.stdin:
        method, path, body = line.rstrip("\n").split(" ", 2)
        connection.request(method, path, body=body.encode(),
                           headers={"Content-Type": "application/json"})
        answer = connection.getresponse()
        answer.read()
        print(answer.status, flush=True)
    connection.close()


if __name__ == "__main__":
    main()
