#!/usr/bin/env python3
"""test-introspection.py: Braid's GObject-introspection data is right.

Drives a fake clock and a string transport from Python through PyGObject:
if an annotation is wrong (ownership, nullability, a closure), a call here
crashes, leaks a reference or gets the wrong type. Suite `introspection`,
built with -Dintrospection=true (or -Ddocs=true). Skipped (exit 77) when
PyGObject (python3-gi) is not installed.
"""
import sys

try:
    import gi
except ImportError:
    print("1..0 # SKIP PyGObject (python3-gi) is not installed")
    sys.exit(77)

gi.require_version("Braid", "1")
from gi.repository import Braid, GLib  # noqa: E402

tests = []


def test(func):
    tests.append(func)
    return func


@test
def fake_clock_fires_a_call_at_its_deadline():
    clock = Braid.FakeClock.new()
    fired = []
    call = clock.call_later_full(1.5, lambda data: fired.append((data, clock.seconds())),
                                 "payload", "test-introspection.py")
    assert isinstance(call, Braid.DelayedCall)
    assert call.active() and not call.called()
    assert call.get_time() == 1.5
    assert call.get_creator() == "test-introspection.py"
    assert clock.get_pending_count() == 1

    clock.advance(1.0)
    assert fired == [], fired
    clock.advance(0.5)
    assert fired == [("payload", 1.5)], fired
    assert call.called() and not call.active()
    assert clock.get_pending_count() == 0


@test
def fake_clock_cancel_and_its_error():
    clock = Braid.FakeClock.new()
    fired = []
    call = clock.call_later_full(2.0, fired.append, "never", None)
    assert [c.get_time() for c in clock.get_delayed_calls()] == [2.0]
    assert call.cancel()
    assert call.cancelled()
    clock.advance(5.0)
    assert fired == []
    # Cancelling twice is an error, as in Twisted: a GError becomes an exception.
    try:
        call.cancel()
    except GLib.Error as error:
        assert error.domain == "braid-error-quark", error.domain
    else:
        raise AssertionError("cancelling a cancelled call did not fail")


@test
def a_delayed_call_dropped_by_python_stays_the_clocks():
    # call_later_full is (transfer none): Python takes a reference of its
    # own and drops only that one. Were it (transfer full), dropping it
    # would take the clock's reference, which Braid reports as a critical.
    import gc

    criticals = []
    handler = GLib.log_set_handler("Braid", GLib.LogLevelFlags.LEVEL_CRITICAL,
                                   lambda domain, level, message, data: criticals.append(message),
                                   None)
    try:
        clock = Braid.FakeClock.new()
        fired = []
        call = clock.call_later_full(1.0, fired.append, "kept", None)
        del call
        gc.collect()
        assert clock.get_pending_count() == 1
        clock.advance(1.0)
        assert fired == ["kept"], fired
        assert criticals == [], criticals
    finally:
        GLib.log_remove_handler("Braid", handler)


@test
def string_transport_records_what_is_written():
    transport = Braid.StringTransport.new()
    transport.write(b"hello, ")
    transport.write_string("braid")
    assert transport.get_value().get_data() == b"hello, braid"
    assert not transport.get_disconnecting()
    transport.clear()
    assert transport.get_value().get_data() == b""
    transport.lose_connection()
    assert transport.get_disconnecting() and transport.is_disconnecting()
    peer = transport.get_peer()
    assert isinstance(peer, Gio.InetSocketAddress)
    assert peer.get_address().to_string() == "127.0.0.1"


@test
def a_python_protocol_on_a_string_transport():
    class Shout(Braid.Protocol):
        def do_data_received(self, data, *length):
            # PyGObject also passes the array length to a Python vfunc.
            self.get_transport().write(bytes(data).upper())

    transport = Braid.StringTransport.new()
    shout = Shout()
    shout.make_connection(transport)
    assert shout.get_transport() == transport
    shout.data_received(b"hi there")
    assert transport.get_value().get_data() == b"HI THERE"


from gi.repository import Gio  # noqa: E402

print(f"1..{len(tests)}")
failed = 0
for number, func in enumerate(tests, 1):
    try:
        func()
    except Exception as error:  # report every failure, then exit 1
        failed += 1
        print(f"not ok {number} /introspection/{func.__name__} # {type(error).__name__}: {error}")
    else:
        print(f"ok {number} /introspection/{func.__name__}")
sys.exit(1 if failed else 0)
