/* calculator.h: lesson 07's exercise. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

/* A line protocol ("\r\n"-terminated lines):
 *   "ADD a b"  ->  "= a+b"      (a and b are integers, maybe negative)
 *   "QUIT"     ->  "bye", then the server hangs up
 *   anything else  ->  "error: unknown command" */
#define CALCULATOR_TYPE_PROTOCOL (calculator_protocol_get_type ())
G_DECLARE_FINAL_TYPE (CalculatorProtocol, calculator_protocol, CALCULATOR, PROTOCOL, BraidLineReceiver)

G_END_DECLS
