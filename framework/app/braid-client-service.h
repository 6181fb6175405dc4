#pragma once

#include "braid-types.h"
#include "app/braid-service.h"
#include "app/braid-endpoint.h"

G_BEGIN_DECLS

/**
 * BraidRetryPolicy:
 * @failed_attempts: how many attempts failed in a row (1 after the first
 *   failure, or after a connection was lost)
 * @user_data: the data given with the policy
 *
 * How long a [class@Braid.ClientService] waits before its next attempt.
 *
 * Returns: seconds to wait
 */
typedef gdouble (*BraidRetryPolicy) (guint    failed_attempts,
                                     gpointer user_data);

/**
 * BRAID_BACKOFF_INITIAL_DELAY:
 *
 * The default policy's base delay, in seconds: 1, as in Twisted.
 */
#define BRAID_BACKOFF_INITIAL_DELAY 1.0

/**
 * BRAID_BACKOFF_MAX_DELAY:
 *
 * The default policy's longest delay before jitter, in seconds: 60, as in
 * Twisted.
 */
#define BRAID_BACKOFF_MAX_DELAY 60.0

/**
 * BRAID_BACKOFF_FACTOR:
 *
 * How much the default policy's delay grows at each failure: 1.5, as in
 * Twisted.
 */
#define BRAID_BACKOFF_FACTOR 1.5

gdouble braid_backoff_delay (guint   failed_attempts,
                             gdouble initial_delay,
                             gdouble max_delay,
                             gdouble factor);

#define BRAID_TYPE_CLIENT_SERVICE (braid_client_service_get_type ())
G_DECLARE_FINAL_TYPE (BraidClientService, braid_client_service, BRAID, CLIENT_SERVICE, BraidService)

BraidClientService *braid_client_service_new                  (BraidReactor        *reactor,
                                                               BraidClientEndpoint *endpoint,
                                                               BraidFactory        *factory);
void                braid_client_service_set_clock            (BraidClientService  *self,
                                                               BraidClock          *clock);
void                braid_client_service_set_retry_policy     (BraidClientService  *self,
                                                               BraidRetryPolicy     policy,
                                                               gpointer             user_data,
                                                               GDestroyNotify       destroy);
BraidDeferred      *braid_client_service_when_connected       (BraidClientService  *self,
                                                               guint                fail_after_failures);
guint               braid_client_service_get_failed_attempts  (BraidClientService  *self);

G_END_DECLS
