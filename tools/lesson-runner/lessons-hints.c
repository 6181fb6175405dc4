/* lessons-hints.c: splits hints.md into separate hints.
 *
 * A hints file is Markdown, written for people first. The runner finds the
 * hints in it by the first of these shapes that the file uses:
 *
 * 1. `## ` headings: each section is one hint (its heading included);
 * 2. lines of `---`: each part between them is one hint;
 * 3. a top-level list (`- `, `* ` or `1. ` at the start of a line): each
 *    item, with its indented continuation, is one hint;
 * 4. otherwise the whole file is one hint.
 *
 * A leading `# Title` line, and any text before the first hint of shapes 1
 * and 3, is an introduction rather than a hint. Nothing inside a ``` code
 * fence ever splits a hint. */
#include "lessons-hints.h"

#include <string.h>

typedef enum
{
  SHAPE_HEADINGS,
  SHAPE_RULES,
  SHAPE_LIST,
  SHAPE_WHOLE,
} HintShape;

static gboolean
is_heading (const gchar *line)
{
  return g_str_has_prefix (line, "## ");
}

static gboolean
is_rule (const gchar *line)
{
  g_autofree gchar *stripped = g_strstrip (g_strdup (line));

  return g_str_equal (stripped, "---") && line[0] == '-';
}

static gboolean
is_list_item (const gchar *line)
{
  const gchar *p = line;

  if (g_str_has_prefix (line, "- ") || g_str_has_prefix (line, "* "))
    return TRUE;
  while (g_ascii_isdigit (*p))
    p++;
  return p != line && p[0] == '.' && p[1] == ' ';
}

static gboolean
is_fence (const gchar *line)
{
  while (*line == ' ' || *line == '\t')
    line++;
  return g_str_has_prefix (line, "```");
}

static gboolean
is_blank (const gchar *line)
{
  for (; *line != '\0'; line++)
    if (!g_ascii_isspace (*line))
      return FALSE;
  return TRUE;
}

/* Which shape does the file use? Only lines outside code fences count. */
static HintShape
find_shape (gchar **lines)
{
  gboolean in_fence = FALSE, rules = FALSE, items = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (is_fence (lines[i]))
        in_fence = !in_fence;
      else if (!in_fence && is_heading (lines[i]))
        return SHAPE_HEADINGS;
      else if (!in_fence && is_rule (lines[i]))
        rules = TRUE;
      else if (!in_fence && is_list_item (lines[i]))
        items = TRUE;
    }
  if (rules)
    return SHAPE_RULES;
  return items ? SHAPE_LIST : SHAPE_WHOLE;
}

static gboolean
starts_hint (HintShape shape, const gchar *line)
{
  switch (shape)
    {
    case SHAPE_HEADINGS:
      return is_heading (line);
    case SHAPE_RULES:
      return is_rule (line);
    case SHAPE_LIST:
      return is_list_item (line);
    case SHAPE_WHOLE:
    default:
      return FALSE;
    }
}

/* Adds the hint collected in @current, if it has any text, and empties it. */
static void
finish_hint (GPtrArray *hints, GString *current)
{
  g_autofree gchar *text = g_strstrip (g_strdup (current->str));

  if (*text != '\0')
    g_ptr_array_add (hints, g_steal_pointer (&text));
  g_string_truncate (current, 0);
}

/**
 * lessons_hints_split:
 * @markdown: the text of a hints file
 *
 * Splits a hints file into hints (see the top of this file for the shapes
 * it understands).
 *
 * Returns: (transfer full) (element-type utf8): the hints, in order; empty
 *   when the file has none
 */
GPtrArray *
lessons_hints_split (const gchar *markdown)
{
  g_autoptr (GPtrArray) hints = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) current = g_string_new (NULL);
  g_auto (GStrv) lines = g_strsplit (markdown, "\n", -1);
  HintShape shape = find_shape (lines);
  /* With headings or a list, text before the first hint is an introduction. */
  gboolean in_intro = (shape == SHAPE_HEADINGS || shape == SHAPE_LIST);
  gboolean in_fence = FALSE, seen_text = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const gchar *line = lines[i];

      if (!in_fence && !seen_text && g_str_has_prefix (line, "# "))
        continue;  /* the file's title */
      if (!is_blank (line))
        seen_text = TRUE;
      if (!in_fence && starts_hint (shape, line))
        {
          if (!in_intro)
            finish_hint (hints, current);
          g_string_truncate (current, 0);
          in_intro = FALSE;
          if (shape == SHAPE_RULES)
            continue;  /* the rule itself is not part of a hint */
          if (shape == SHAPE_HEADINGS)
            line += 3;  /* "## Hint 1" reads as "Hint 1" in a terminal */
        }
      if (is_fence (line))
        in_fence = !in_fence;
      g_string_append (current, line);
      g_string_append_c (current, '\n');
    }
  if (!in_intro)
    finish_hint (hints, current);
  return g_steal_pointer (&hints);
}
