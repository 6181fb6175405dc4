#pragma once

#include <braid.h>

G_BEGIN_DECLS

#define BRAID_TYPE_SIM_NET (braid_sim_net_get_type ())
G_DECLARE_FINAL_TYPE (BraidSimNet, braid_sim_net, BRAID, SIM_NET, GObject)

#define BRAID_TYPE_SIM_NODE (braid_sim_node_get_type ())
G_DECLARE_FINAL_TYPE (BraidSimNode, braid_sim_node, BRAID, SIM_NODE, GObject)

#define BRAID_TYPE_SIM_LINK (braid_sim_link_get_type ())
G_DECLARE_FINAL_TYPE (BraidSimLink, braid_sim_link, BRAID, SIM_LINK, GObject)

/**
 * BRAID_SIM_NET_MAX_STEPS_AT_ONE_TIME:
 *
 * How many events [method@Braid.SimNet.run_until] runs without virtual
 * time moving before it fails: code that re-arms a zero-delay call forever
 * would otherwise hang the run.
 */
#define BRAID_SIM_NET_MAX_STEPS_AT_ONE_TIME 1000000

/**
 * BraidSimNodeStartFunc:
 * @node: the node that (re)starts
 * @user_data: the data given with the function
 *
 * Builds a node's services on its reactor (`BRAID_REACTOR (node)`): called
 * by [method@Braid.SimNode.restart] after a crash.
 */
typedef void (*BraidSimNodeStartFunc) (BraidSimNode *node,
                                       gpointer      user_data);

/**
 * BraidSimPredicate:
 * @user_data: the data given with the predicate
 *
 * The condition [method@Braid.SimNet.run_until] waits for.
 *
 * Returns: %TRUE once the scenario reached its goal
 */
typedef gboolean (*BraidSimPredicate) (gpointer user_data);

BraidSimNet  *braid_sim_net_new                (guint32        seed);
guint32       braid_sim_net_get_seed           (BraidSimNet   *self);
BraidSimNode *braid_sim_net_add_node           (BraidSimNet   *self,
                                                const char    *name,
                                                const char    *address);
BraidSimNode *braid_sim_net_get_node           (BraidSimNet   *self,
                                                const char    *name);
BraidSimLink *braid_sim_net_get_default_link   (BraidSimNet   *self);
BraidSimLink *braid_sim_net_get_link           (BraidSimNet   *self,
                                                const char    *from,
                                                const char    *to);
void          braid_sim_net_partition          (BraidSimNet   *self,
                                                const char    *a,
                                                const char    *b,
                                                gboolean       both_ways,
                                                gboolean       partitioned);
void          braid_sim_net_schedule_partition (BraidSimNet   *self,
                                                const char    *a,
                                                const char    *b,
                                                gboolean       both_ways,
                                                gdouble        start,
                                                gdouble        duration);
gdouble       braid_sim_net_random_double      (BraidSimNet   *self);
gboolean      braid_sim_net_step               (BraidSimNet   *self);
void          braid_sim_net_run_for            (BraidSimNet   *self,
                                                gdouble        seconds);
gboolean      braid_sim_net_run_until          (BraidSimNet      *self,
                                                BraidSimPredicate predicate,
                                                gpointer          user_data,
                                                gdouble           budget,
                                                GError          **error);
guint64       braid_sim_net_get_event_count    (BraidSimNet   *self);
void          braid_sim_net_set_max_steps_at_one_time (BraidSimNet *self,
                                                       guint64      max_steps);
char         *braid_sim_net_describe_pending   (BraidSimNet   *self);
void          braid_sim_net_set_journal_enabled (BraidSimNet  *self,
                                                 gboolean      enabled);
const char   *braid_sim_net_get_journal        (BraidSimNet   *self);
gboolean      braid_sim_net_write_journal      (BraidSimNet   *self,
                                                const char    *path,
                                                GError       **error);
void          braid_sim_net_note               (BraidSimNet   *self,
                                                const char    *node,
                                                const char    *text);

const char   *braid_sim_node_get_name          (BraidSimNode  *self);
const char   *braid_sim_node_get_address       (BraidSimNode  *self);
BraidSimNet  *braid_sim_node_get_net           (BraidSimNode  *self);
gboolean      braid_sim_node_is_up             (BraidSimNode  *self);
guint         braid_sim_node_get_connection_count (BraidSimNode *self);
guint         braid_sim_node_get_timer_count   (BraidSimNode  *self);
void          braid_sim_node_set_start_func    (BraidSimNode          *self,
                                                BraidSimNodeStartFunc  func,
                                                gpointer               user_data,
                                                GDestroyNotify         destroy);
void          braid_sim_node_crash             (BraidSimNode  *self);
void          braid_sim_node_restart           (BraidSimNode  *self);

void          braid_sim_link_set_latency       (BraidSimLink  *self,
                                                gdouble        latency,
                                                gdouble        jitter);
void          braid_sim_link_set_bandwidth     (BraidSimLink  *self,
                                                gdouble        bytes_per_second);
void          braid_sim_link_set_partitioned   (BraidSimLink  *self,
                                                gboolean       partitioned);
gboolean      braid_sim_link_get_partitioned   (BraidSimLink  *self);
void          braid_sim_link_hold              (BraidSimLink  *self);
void          braid_sim_link_release           (BraidSimLink  *self);
gboolean      braid_sim_link_get_held          (BraidSimLink  *self);
void          braid_sim_link_set_loss          (BraidSimLink  *self,
                                                gdouble        probability);
void          braid_sim_link_set_duplication   (BraidSimLink  *self,
                                                gdouble        probability);
void          braid_sim_link_set_reordering    (BraidSimLink  *self,
                                                gdouble        probability,
                                                gdouble        delay);
void          braid_sim_link_set_corruption    (BraidSimLink  *self,
                                                gdouble        probability);

G_END_DECLS

G_BEGIN_DECLS

/**
 * BraidSimScenario:
 * @seed: the seed to run the scenario with (give it to
 *   [ctor@Braid.SimNet.new])
 * @user_data: the data given with the scenario
 * @error: return location for why the scenario failed
 *
 * One run of a simulated scenario, for [func@Braid.sim_run_seeds].
 *
 * Returns: %TRUE if the scenario's checks held
 */
typedef gboolean (*BraidSimScenario) (guint32   seed,
                                      gpointer  user_data,
                                      GError  **error);

/**
 * BraidSimJournalFunc:
 * @seed: the seed to run the scenario with
 * @user_data: the data given with the function
 *
 * One run of a simulated scenario that returns its journal, for
 * [func@Braid.sim_check_determinism].
 *
 * Returns: (transfer full): the journal of the run
 */
typedef char *(*BraidSimJournalFunc) (guint32  seed,
                                      gpointer user_data);

gboolean braid_sim_run_seeds          (BraidSimScenario     scenario,
                                       gpointer             user_data,
                                       guint32              first_seed,
                                       guint                n_seeds,
                                       GError             **error);
char    *braid_sim_replay_command     (guint32              seed);
gboolean braid_sim_check_determinism  (BraidSimJournalFunc  func,
                                       gpointer             user_data,
                                       guint32              seed,
                                       GError             **error);

G_END_DECLS
