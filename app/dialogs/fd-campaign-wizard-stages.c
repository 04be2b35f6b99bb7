/* fd-campaign-wizard-stages.c — the stages of a campaign as the wizard's entry reads them.
 *
 * A stage is the share of the targets reached at its end: "5%" (of the targets) or "50" (a
 * number of devices). Stages are cumulative, so they may not go down, and the last one is
 * "100%" so that every target is reached (the API's rules, checked here to say so at once).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-campaign-wizard.h"

/* A count of devices at most this large (a workspace's devices are fewer). */
#define FD_CAMPAIGN_MAX_COUNT 10000000

static const char *const fd_campaign_presets[] = { "5%, 25%, 100%", "100%" };

const char *
fd_campaign_preset_stages (guint preset)
{
  return preset < G_N_ELEMENTS (fd_campaign_presets) ? fd_campaign_presets[preset] : NULL;
}

JsonArray *
fd_campaign_parse_stages (const char *text, GError **error)
{
  g_autoptr (JsonArray) stages = json_array_new ();
  g_auto (GStrv) parts = NULL;
  gint64 last_percent = 0, last_count = 0;
  gboolean last_is_all = FALSE;
  guint n = 0;

  /* "5% → 25% → 100%" reads the same as "5%, 25%, 100%". */
  g_autoptr (GString) normal = g_string_new (text != NULL ? text : "");
  g_string_replace (normal, "→", ",", 0);
  g_string_replace (normal, ";", ",", 0);
  parts = g_strsplit (normal->str, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);
      gboolean percent = g_str_has_suffix (part, "%");
      g_autoptr (JsonObject) stage = NULL;
      guint64 value = 0;
      char *end = NULL;

      if (*part == '\0')
        continue;
      if (percent)
        part[strlen (part) - 1] = '\0';
      g_strchomp (part);
      if (!g_ascii_isdigit (*part) || (value = g_ascii_strtoull (part, &end, 10), *end != '\0'))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       /* TRANSLATORS: a stage that is neither "N%" nor a number of devices */
                       _ ("“%s” is not a share (“25%%”) or a number of devices"), parts[i]);
          return NULL;
        }
      if (++n > FD_CAMPAIGN_MAX_STAGES)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _ ("At most %d stages"),
                       FD_CAMPAIGN_MAX_STAGES);
          return NULL;
        }
      if (percent ? value < 1 || value > 100 : value < 1 || value > FD_CAMPAIGN_MAX_COUNT)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       percent ? _ ("A share is between 1%% and 100%%")
                               : _ ("A number of devices is at least 1"));
          return NULL;
        }
      if ((percent && (gint64)value < last_percent) || (!percent && (gint64)value < last_count))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _ ("Stages count the devices reached so far: they cannot go down"));
          return NULL;
        }
      if (percent)
        last_percent = (gint64)value;
      else
        last_count = (gint64)value;
      last_is_all = percent && value == 100;
      stage = json_object_new ();
      json_object_set_int_member (stage, percent ? "percent" : "count", (gint64)value);
      json_array_add_object_element (stages, g_steal_pointer (&stage));
    }

  if (n == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _ ("Give at least one stage, such as “100%”"));
      return NULL;
    }
  if (!last_is_all)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _ ("The last stage is “100%”, so that every device is reached"));
      return NULL;
    }
  return g_steal_pointer (&stages);
}
