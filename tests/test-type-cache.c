/* test-type-cache.c: the cache behind braid_transport_write's interface
 * and braid_protocol_data_received's class check (private to libbraid;
 * its contract is in core/braid-type-cache-private.h): it answers what
 * GObject answers, and keeps only classes GObject never frees. */
#include <braid.h>

#include "core/braid-type-cache-private.h"

GType test_iface_get_type (void);
GType test_with_get_type (void);
GType test_without_get_type (void);
GType test_later_get_type (void);
GType test_module_get_type (void);

/* An interface, and static classes with and without it. */
typedef struct {
  GTypeInterface parent_iface;
  int (*answer) (GObject *self);
} TestIfaceInterface;

static void test_iface_default_init (TestIfaceInterface *iface) { }
G_DEFINE_INTERFACE (TestIface, test_iface, G_TYPE_OBJECT)

typedef GObject TestWith;
typedef GObjectClass TestWithClass;
static void test_with_iface_init (TestIfaceInterface *iface) { }
static void test_with_class_init (TestWithClass *klass) { }
static void test_with_init (TestWith *self) { }
G_DEFINE_TYPE_WITH_CODE (TestWith, test_with, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (test_iface_get_type (), test_with_iface_init))

typedef GObject TestWithout;
typedef GObjectClass TestWithoutClass;
static void test_without_class_init (TestWithoutClass *klass) { }
static void test_without_init (TestWithout *self) { }
G_DEFINE_TYPE (TestWithout, test_without, G_TYPE_OBJECT)

/* A static class a plugin adds the interface to. */
typedef GObject TestLater;
typedef GObjectClass TestLaterClass;
static void test_later_class_init (TestLaterClass *klass) { }
static void test_later_init (TestLater *self) { }
G_DEFINE_TYPE (TestLater, test_later, G_TYPE_OBJECT)

/* The plugin: a class of its own with the interface, and the interface
 * added to TestLater. */
static GType test_dynamic_type;

static void test_dynamic_class_init (gpointer klass, gpointer data) { }
static void test_dynamic_iface_init (gpointer iface, gpointer data) { }

typedef GTypeModule TestModule;
typedef GTypeModuleClass TestModuleClass;
G_DEFINE_TYPE (TestModule, test_module, G_TYPE_TYPE_MODULE)

static gboolean
test_module_load (GTypeModule *module)
{
  const GTypeInfo info = { sizeof (GObjectClass), NULL, NULL, test_dynamic_class_init, NULL, NULL,
                           sizeof (GObject), 0, NULL, NULL };
  const GInterfaceInfo iface_info = { test_dynamic_iface_init, NULL, NULL };

  test_dynamic_type = g_type_module_register_type (module, G_TYPE_OBJECT, "TestDynamic", &info, 0);
  g_type_module_add_interface (module, test_dynamic_type, test_iface_get_type (), &iface_info);
  g_type_module_add_interface (module, test_later_get_type (), test_iface_get_type (), &iface_info);
  return TRUE;
}

static void
test_module_unload (GTypeModule *module)
{
}

static void
test_module_class_init (TestModuleClass *klass)
{
  klass->load = test_module_load;
  klass->unload = test_module_unload;
}

static void
test_module_init (TestModule *self)
{
}

static guint
entries_of (BraidTypeCache *cache)
{
  return cache->entries != NULL ? cache->entries->len : 0;
}

/* An interface: the class's vtable, the same twice (the second time from
 * the cache); none for a class without it or for no instance, and those
 * are not kept. A class type: the class itself for a subclass. */
static void
test_answers_as_gobject (void)
{
  static BraidTypeCache ifaces, objects, others;
  g_autoptr (GObject) with = g_object_new (test_with_get_type (), NULL);
  g_autoptr (GObject) without = g_object_new (test_without_get_type (), NULL);
  gpointer vtable = g_type_interface_peek (G_OBJECT_GET_CLASS (with), test_iface_get_type ());

  g_assert_nonnull (vtable);
  g_assert_true (braid_type_cache_lookup (&ifaces, with, test_iface_get_type) == vtable);
  g_assert_true (braid_type_cache_lookup (&ifaces, with, test_iface_get_type) == vtable);
  g_assert_cmpuint (entries_of (&ifaces), ==, 1);
  g_assert_null (braid_type_cache_lookup (&ifaces, without, test_iface_get_type));
  g_assert_null (braid_type_cache_lookup (&ifaces, NULL, test_iface_get_type));
  g_assert_cmpuint (entries_of (&ifaces), ==, 1);

  g_assert_true (braid_type_cache_lookup (&objects, with, g_object_get_type)
                 == G_OBJECT_GET_CLASS (with));
  g_assert_true (braid_type_cache_lookup (&objects, with, g_object_get_type)
                 == G_OBJECT_GET_CLASS (with));
  g_assert_null (braid_type_cache_lookup (&others, with, test_without_get_type));
  g_assert_cmpuint (entries_of (&others), ==, 0);
}

/* More classes than slots: one pushes another out, which is found again
 * among the entries, never made twice. */
static void
test_classes_share_slots (void)
{
  static BraidTypeCache cache;
  GType types[40];
  GObject *objects[G_N_ELEMENTS (types)];

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *name = g_strdup_printf ("TestSlot%u", i);

      types[i] = g_type_register_static_simple (G_TYPE_OBJECT, name, sizeof (GObjectClass), NULL,
                                                sizeof (GObject), NULL, 0);
      objects[i] = g_object_new (types[i], NULL);
    }
  for (guint round = 0; round < 3; round++)
    for (guint i = 0; i < G_N_ELEMENTS (types); i++)
      g_assert_true (braid_type_cache_lookup (&cache, objects[i], g_object_get_type)
                     == G_OBJECT_GET_CLASS (objects[i]));
  g_assert_cmpuint (entries_of (&cache), ==, G_N_ELEMENTS (types));
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    g_object_unref (objects[i]);
}

/* A class a GTypeModule registered, or an interface it added, may be
 * freed when its last instance goes and another class made at the same
 * address: answered, never kept. */
static void
test_plugin_types_are_not_kept (void)
{
  static BraidTypeCache ifaces, objects;
  GTypeModule *module = g_object_new (test_module_get_type (), NULL);
  GObject *dynamic, *later;

  g_assert_true (g_type_module_use (module));
  dynamic = g_object_new (test_dynamic_type, NULL);
  later = g_object_new (test_later_get_type (), NULL);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_true (braid_type_cache_lookup (&ifaces, dynamic, test_iface_get_type)
                     == g_type_interface_peek (G_OBJECT_GET_CLASS (dynamic), test_iface_get_type ()));
      g_assert_nonnull (braid_type_cache_lookup (&ifaces, later, test_iface_get_type));
      g_assert_true (braid_type_cache_lookup (&objects, dynamic, g_object_get_type)
                     == G_OBJECT_GET_CLASS (dynamic));
    }
  g_assert_cmpuint (entries_of (&ifaces), ==, 0);
  g_assert_cmpuint (entries_of (&objects), ==, 0);
  g_object_unref (dynamic);
  g_object_unref (later);
  g_type_module_unuse (module);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/type-cache/answers-as-gobject", test_answers_as_gobject);
  g_test_add_func ("/type-cache/classes-share-slots", test_classes_share_slots);
  g_test_add_func ("/type-cache/plugin-types-are-not-kept", test_plugin_types_are_not_kept);
  return g_test_run ();
}
