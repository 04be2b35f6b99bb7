/* fd-credential-row.c — one credential of a device.
 *
 * Title: the kind; subtitle: what identifies it (the fingerprint's ends or the key id) and when
 * it was made or revoked; at the end, its state (revoked, expired, expiring soon, valid until)
 * styled so that a problem stands out, then Download and Revoke while it is live.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-credential-row.h"
#include "fd-format.h"
#include "fd-json.h"

struct _FdCredentialRow
{
  AdwActionRow parent_instance;

  JsonObject *credential;
  gboolean revoked;

  GtkLabel *state_label;
  GtkWidget *download_button;
  GtkWidget *revoke_button;
};

G_DEFINE_FINAL_TYPE (FdCredentialRow, fd_credential_row, ADW_TYPE_ACTION_ROW)

static void
fd_credential_row_finalize (GObject *object)
{
  FdCredentialRow *self = FD_CREDENTIAL_ROW (object);

  g_clear_pointer (&self->credential, json_object_unref);

  G_OBJECT_CLASS (fd_credential_row_parent_class)->finalize (object);
}

static void
fd_credential_row_class_init (FdCredentialRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = fd_credential_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/fleetdesk/Fleetdesk/ui/"
                                                             "fd-credential-row.ui");
  gtk_widget_class_bind_template_child (widget_class, FdCredentialRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, FdCredentialRow, download_button);
  gtk_widget_class_bind_template_child (widget_class, FdCredentialRow, revoke_button);
}

static void
fd_credential_row_init (FdCredentialRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

char *
fd_credential_describe (JsonObject *credential)
{
  const char *kind = fd_json_get_string (credential, "kind");
  const char *mode = fd_json_get_string (credential, "mode");
  g_autofree char *fingerprint = NULL;
  guint key_id = 0;

  if (g_strcmp0 (kind, "key") == 0)
    {
      fd_json_update_uint (credential, "key_id", &key_id);
      /* TRANSLATORS: a credential: "Device key 2" or "Cloud token 2" */
      return g_strdup_printf (C_ ("credential", "%s %u"), fd_format_credential_kind (kind, mode),
                              key_id);
    }
  fingerprint = fd_format_fingerprint (fd_json_get_string (credential, "fingerprint"), FALSE);
  /* TRANSLATORS: a credential: "Generated certificate 3F:9A:…:C2:11" */
  return g_strdup_printf (C_ ("credential", "%s %s"), fd_format_credential_kind (kind, mode),
                          fingerprint);
}

static char *
fd_credential_row_subtitle (JsonObject *credential)
{
  const char *kind = fd_json_get_string (credential, "kind");
  g_autofree char *created = fd_json_format_time (fd_json_get_string (credential, "created_at"));
  g_autofree char *revoked = fd_json_format_time (fd_json_get_string (credential, "revoked_at"));
  g_autofree char *what = NULL;
  g_autofree char *when = NULL;
  guint key_id = 0;

  if (g_strcmp0 (kind, "key") == 0)
    {
      fd_json_update_uint (credential, "key_id", &key_id);
      what
          = g_strdup_printf (g_strcmp0 (fd_json_get_string (credential, "mode"), "cloud_token") == 0
                                 /* TRANSLATORS: a device key's id and how the device uses it */
                                 ? _ ("Key ID %u · sent as a password")
                                 : _ ("Key ID %u · signs tokens (JWT, HS256)"),
                             key_id);
    }
  else
    {
      g_autofree char *fingerprint
          = fd_format_fingerprint (fd_json_get_string (credential, "fingerprint"), FALSE);
      /* TRANSLATORS: a certificate's SHA-256 fingerprint, shortened */
      what = g_strdup_printf (_ ("SHA-256 %s"), fingerprint);
    }

  if (revoked != NULL)
    /* TRANSLATORS: when a credential was revoked */
    when = g_strdup_printf (_ ("revoked %s"), revoked);
  else
    /* TRANSLATORS: when a credential was made */
    when = g_strdup_printf (_ ("added %s"), created != NULL ? created : "");
  return g_strdup_printf ("%s · %s", what, when);
}

GtkWidget *
fd_credential_row_new (JsonObject *credential, GDateTime *now)
{
  FdCredentialRow *self = g_object_new (FD_TYPE_CREDENTIAL_ROW, NULL);
  const char *id = fd_json_get_string (credential, "id");
  const char *subject = fd_json_get_string (credential, "subject");
  const char *fingerprint = fd_json_get_string (credential, "fingerprint");
  g_autofree char *subtitle = fd_credential_row_subtitle (credential);
  g_autofree char *expiry = NULL;
  g_autofree char *full = NULL;
  g_autofree char *tooltip = NULL;
  FdExpiry state;

  self->credential = json_object_ref (credential);
  fd_json_update_boolean (credential, "revoked", &self->revoked);

  adw_preferences_row_set_title (
      ADW_PREFERENCES_ROW (self),
      fd_format_credential_kind (fd_json_get_string (credential, "kind"),
                                 fd_json_get_string (credential, "mode")));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);

  if (fingerprint != NULL)
    {
      full = fd_format_fingerprint (fingerprint, TRUE);
      /* TRANSLATORS: a tooltip: the certificate's subject and full fingerprint */
      tooltip = g_strdup_printf (_ ("%s\nSHA-256 %s"), subject != NULL ? subject : "", full);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip);
    }

  expiry = fd_format_expiry (fd_json_get_string (credential, "expires_at"), now, &state);
  if (self->revoked)
    {
      gtk_label_set_label (self->state_label, C_ ("credential state", "Revoked"));
      gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self), "fd-revoked");
    }
  else
    {
      gtk_label_set_label (self->state_label, expiry);
      gtk_widget_add_css_class (GTK_WIDGET (self->state_label), state == FD_EXPIRY_EXPIRED ? "error"
                                                                : state == FD_EXPIRY_SOON
                                                                    ? "warning"
                                                                    : "dim-label");
    }

  /* A revoked credential is only history: nothing to download or revoke. */
  gtk_widget_set_visible (self->download_button, !self->revoked);
  gtk_widget_set_visible (self->revoke_button, !self->revoked);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->download_button), "s", id);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->revoke_button), "s", id);
  return GTK_WIDGET (self);
}

JsonObject *
fd_credential_row_get_credential (FdCredentialRow *self)
{
  g_return_val_if_fail (FD_IS_CREDENTIAL_ROW (self), NULL);
  return self->credential;
}

const char *
fd_credential_row_get_id (FdCredentialRow *self)
{
  g_return_val_if_fail (FD_IS_CREDENTIAL_ROW (self), NULL);
  return fd_json_get_string (self->credential, "id");
}

gboolean
fd_credential_row_get_revoked (FdCredentialRow *self)
{
  g_return_val_if_fail (FD_IS_CREDENTIAL_ROW (self), FALSE);
  return self->revoked;
}
