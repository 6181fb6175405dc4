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


@test
def checks_raise_instead_of_aborting():
    # The C assertions abort on failure: from Python that would kill the
    # interpreter, so they are not introspected; the checks raise instead.
    assert not hasattr(Braid, "assert_transport_wrote_full")
    assert not hasattr(Braid, "assert_no_leftovers_full")
    transport = Braid.StringTransport.new()
    transport.write(b"HELLO")
    try:
        Braid.check_transport_wrote(transport, "GOODBYE")
    except GLib.Error as error:
        assert error.matches(Braid.error_quark(), Braid.Error.FAILED), error
        assert 'got "HELLO" (5 bytes), expected "GOODBYE"' in error.message, error.message
    else:
        raise AssertionError("a mismatch did not raise")
    # A mismatch clears nothing; a match clears the record.
    assert Braid.check_transport_wrote(transport, "HELLO")
    assert Braid.check_transport_wrote(transport, "")


@test
def a_unittest_sees_a_failed_check_as_an_exception():
    import io
    import unittest

    class ShoutTest(unittest.TestCase):
        def setUp(self):
            self.clock = Braid.FakeClock.new()

        def tearDown(self):
            try:
                Braid.check_no_leftovers()
            finally:  # the next test starts clean
                for call in self.clock.get_delayed_calls():
                    call.cancel()

        def test_wrong_expectation(self):
            transport = Braid.StringTransport.new()
            transport.write(b"hi")
            Braid.check_transport_wrote(transport, "HI")

        def test_leaves_a_timer_behind(self):
            self.clock.call_later_full(5, lambda data: None, None, "left-behind")

        def test_passes(self):
            transport = Braid.StringTransport.new()
            transport.write(b"hi")
            self.assertTrue(Braid.check_transport_wrote(transport, "hi"))

    suite = unittest.defaultTestLoader.loadTestsFromTestCase(ShoutTest)
    result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)
    assert result.testsRun == 3, result.testsRun
    failed = sorted(test.id().rsplit(".", 1)[1] for test, _ in result.errors)
    assert failed == ["test_leaves_a_timer_behind", "test_wrong_expectation"], result.errors
    assert "left-behind" in dict((t.id().rsplit(".", 1)[1], tb) for t, tb in result.errors)[
        "test_leaves_a_timer_behind"]


@test
def an_exception_in_a_python_vfunc_reaches_sys_excepthook():
    # It cannot travel back through C: PyGObject hands it to sys.excepthook
    # (which prints it) and the C call returns. A test makes it visible by
    # collecting it there, as docs/using.md shows.
    class WrongSignature(Braid.Protocol):
        def do_data_received(self, data):  # PyGObject 3.42 also passes the length
            pass

    seen = []
    saved, sys.excepthook = sys.excepthook, lambda kind, value, tb: seen.append(value)
    try:
        protocol = WrongSignature()
        protocol.make_connection(Braid.StringTransport.new())
        protocol.data_received(b"x")
    finally:
        sys.excepthook = saved
    assert len(seen) == 1 and isinstance(seen[0], TypeError), seen


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
