/* fd-cli.h — what the files of fleetdesk-cli share: the command table's types, the parsed
 * command line, and the functions each file offers the others.
 *
 * The command table (fd-cli-commands.c) is the one description of the CLI: the parser, the help
 * text, the bash completion script and the requests sent to the server are all derived from it.
 */
#pragma once

#include <gio/gio.h>
#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FD_CLI_PROGRAM "fleetdesk-cli"
#define FD_CLI_DEFAULT_URL "http://127.0.0.1:7080"
#define FD_CLI_API_PREFIX "/api/v1"

enum
{
  FD_CLI_EXIT_OK = 0,
  FD_CLI_EXIT_FAILURE = 1, /* the API said no, or could not be reached */
  FD_CLI_EXIT_USAGE = 2,   /* the command line is wrong */
};

/* Bounds on what the command line and the environment may carry, checked once by the parser
 * (fd-cli-parse.c) and the endpoint resolver (fd-cli-config.c). Names and descriptions follow
 * docs/rest-api.md; the rest keep a typo from becoming a huge request. */
#define FD_CLI_MAX_ARG_BYTES 4096
#define FD_CLI_MAX_ID_BYTES 64
#define FD_CLI_MAX_NAME_CHARS 100
#define FD_CLI_MAX_DESCRIPTION_CHARS 1000
#define FD_CLI_MAX_ACTION_BYTES 64
#define FD_CLI_MAX_FROM G_MAXINT32
#define FD_CLI_MAX_PAGE_SIZE 1000
#define FD_CLI_MAX_REPEAT 64
#define FD_CLI_MAX_URL_BYTES 2048
#define FD_CLI_MAX_TOKEN_BYTES 512
/* Bounds on what comes back from the network or the data directory. */
#define FD_CLI_MAX_RESPONSE_BYTES (32 * 1024 * 1024)
#define FD_CLI_MAX_DATA_FILE_BYTES (64 * 1024)
#define FD_CLI_TIMEOUT_SECONDS 30
/* Files the CLI reads for a request, with the server's own limits (docs/rest-api.md): a PEM
 * (CSR or certificate) and a bulk import CSV. */
#define FD_CLI_MAX_PEM_BYTES (16 * 1024)
#define FD_CLI_MAX_CSV_BYTES (16 * 1024 * 1024)
/* A bulk import of 10,000 devices with generated keys takes the server a while, and its answer
 * carries a certificate and a key per device. */
#define FD_CLI_IMPORT_TIMEOUT_SECONDS 600
#define FD_CLI_MAX_IMPORT_RESPONSE_BYTES (128 * 1024 * 1024)
/* A data tag (docs/protocol.md). */
#define FD_CLI_MAX_TAG_CHARS 64
/* A retention in days: about 100 years, as the server takes it. */
#define FD_CLI_MAX_DAYS 36500
/* A condition threshold: about 100 years, as the server takes it. */
#define FD_CLI_MAX_SECONDS 3153600000.0

#define FD_CLI_ERROR (fd_cli_error_quark ())
GQuark fd_cli_error_quark (void);

typedef enum
{
  FD_CLI_ERROR_USAGE,        /* the command line (or an environment variable) is wrong */
  FD_CLI_ERROR_API,          /* the server answered with an error */
  FD_CLI_ERROR_UNAUTHORIZED, /* the server refused the token */
  FD_CLI_ERROR_CONNECT,      /* the server could not be reached */
  FD_CLI_ERROR_CONFIG,       /* the data directory could not be read */
  FD_CLI_ERROR_PROTOCOL,     /* the answer is not what docs/rest-api.md promises */
  FD_CLI_ERROR_OUTPUT,       /* stdout could not be written */
  FD_CLI_ERROR_FILE,         /* a file named on the command line cannot be read or written */
} FdCliError;

/* How a value on the command line is checked (fd_cli_check_value). */
typedef enum
{
  FD_CLI_VALUE_FLAG,      /* takes no value */
  FD_CLI_VALUE_ID,        /* wks-…, flt-…: letters, digits, '-' and '_' */
  FD_CLI_VALUE_NAME,      /* UTF-8, at most FD_CLI_MAX_NAME_CHARS after trimming */
  FD_CLI_VALUE_TEXT,      /* UTF-8, at most FD_CLI_MAX_DESCRIPTION_CHARS */
  FD_CLI_VALUE_ACTION,    /* an audit action: device.create */
  FD_CLI_VALUE_OFFSET,    /* 0..FD_CLI_MAX_FROM */
  FD_CLI_VALUE_PAGE_SIZE, /* 1..FD_CLI_MAX_PAGE_SIZE */
  FD_CLI_VALUE_CHOICE,    /* one of FdCliParam.choices */
  FD_CLI_VALUE_URL,       /* http:// or https:// */
  FD_CLI_VALUE_TOKEN,     /* printable ASCII without spaces */
  FD_CLI_VALUE_DIR,       /* a directory; completed as one */
  FD_CLI_VALUE_FILE,      /* a file name; completed as one */
  FD_CLI_VALUE_TIME,      /* RFC 3339 with a time zone: 2030-01-01T00:00:00Z */
  FD_CLI_VALUE_TAG,     /* a data tag: 1..FD_CLI_MAX_TAG_CHARS, no '/', '#', '+', space, control */
  FD_CLI_VALUE_SECONDS, /* a duration: a decimal number of seconds, 0..FD_CLI_MAX_SECONDS */
  FD_CLI_VALUE_JSON,    /* one JSON value (any type), at most FD_CLI_MAX_ARG_BYTES */
  FD_CLI_VALUE_DAYS,    /* 1..FD_CLI_MAX_DAYS or "none"; a JSON number or null in the body */
} FdCliValue;

/* Where a value goes in the request. */
typedef enum
{
  FD_CLI_TO_NOTHING,   /* used by the CLI itself (global options) */
  FD_CLI_TO_PATH,      /* replaces the next "{}" in the command's path */
  FD_CLI_TO_BODY,      /* a string member of the JSON body */
  FD_CLI_TO_QUERY,     /* a query parameter; a flag sends "true" */
  FD_CLI_TO_BODY_FILE, /* the named PEM file's text as a string member of the JSON body */
} FdCliTarget;

/* A positional argument (name is "NAME") or an option (name is "description" for
 * --description). */
typedef struct
{
  const char *name;
  char short_name;     /* options only: 'o' for -o; 0 for none */
  gboolean required;   /* options only: the command cannot run without it */
  const char *metavar; /* options only; NULL for a flag */
  FdCliValue value;
  FdCliTarget target;
  const char *key; /* body member or query parameter */
  gboolean repeatable;
  const char *const *choices; /* FD_CLI_VALUE_CHOICE: NULL-terminated */
  const char *help;           /* N_() */
} FdCliParam;

/* What the answer is and how it is shown without --json. */
typedef enum
{
  FD_CLI_SHOW_OBJECT,  /* key: value lines */
  FD_CLI_SHOW_LIST,    /* a table and a count line */
  FD_CLI_SHOW_DELETED, /* "Deleted device dev-…" */
} FdCliShow;

typedef enum
{
  FD_CLI_KIND_NONE,
  FD_CLI_KIND_WORKSPACE,
  FD_CLI_KIND_FLEET,
  FD_CLI_KIND_DEVICE,
  FD_CLI_KIND_TOKEN,
  FD_CLI_KIND_AUDIT_ENTRY,
  FD_CLI_KIND_CREDENTIAL,
  FD_CLI_KIND_TAG,
  FD_CLI_KIND_FIELD,
  FD_CLI_KIND_CONDITION,
  FD_CLI_KIND_EXPORT,
  FD_CLI_KIND_EXPORT_SCHEDULE,
  FD_CLI_KIND_JOB,
  FD_CLI_KIND_EXECUTION,
  FD_CLI_KIND_VARIABLE,
  FD_CLI_KIND_FIRMWARE,
  FD_CLI_KIND_CAMPAIGN,
  FD_CLI_KIND_CAMPAIGN_TARGET,
  FD_CLI_KIND_INTEGRATION,
  FD_CLI_KIND_DELIVERY,
  FD_CLI_KIND_ALERT_RULE,
  FD_CLI_KIND_ALERT,
} FdCliKind;

typedef enum
{
  FD_CLI_CELL_TEXT,
  FD_CLI_CELL_NUMBER,
  FD_CLI_CELL_BOOL,
  FD_CLI_CELL_TIME, /* RFC 3339, shown in local time */
  FD_CLI_CELL_JSON, /* any value as compact JSON, shortened so the row fits the terminal */
  FD_CLI_CELL_FUNC, /* made from the whole item by FdCliColumn.func */
} FdCliCell;

/* A cell made from a list item (FD_CLI_CELL_FUNC); returns printable text. */
typedef char *(*FdCliCellFunc) (JsonObject *item);

typedef struct
{
  const char *header; /* NC_ ("table column", …) */
  const char *member; /* a member of the item, or a path through objects: "device.name" */
  FdCliCell cell;
  FdCliCellFunc func;
} FdCliColumn;

typedef enum
{
  FD_CLI_FLAG_NONE = 0,
  FD_CLI_FLAG_NEEDS_CHANGE = 1 << 0, /* an update: at least one body option is required */
  FD_CLI_FLAG_SHOWS_SECRET = 1 << 1, /* the answer holds a secret shown only this once */
  /* The noun's first verb, run when the verb is left out: "events" is "events follow". */
  FD_CLI_FLAG_DEFAULT_VERB = 1 << 2,
} FdCliFlags;

typedef struct _FdCliInvocation FdCliInvocation;
typedef struct _FdCliCommand FdCliCommand;

/* fd-cli-config.c */
typedef struct
{
  char *url;   /* without a trailing '/' */
  char *token; /* NULL: none */
} FdCliEndpoint;

/* A verb that runs without the server; returns the exit status. */
typedef int (*FdCliLocalFunc) (const FdCliInvocation *invocation);
/* Rules between a command's options that the table cannot say ("--csr goes with --kind csr"),
 * checked with the rest of the command line: FALSE with FD_CLI_ERROR_USAGE. */
typedef gboolean (*FdCliCheckFunc) (const FdCliInvocation *invocation, GError **error);
/* A verb whose request or answer needs more than the table says (files to read or write, a
 * body that is not string members): sends its request(s) and shows the answer itself. */
typedef gboolean (*FdCliRemoteFunc) (const FdCliInvocation *invocation,
                                     const FdCliEndpoint *endpoint, GError **error);

struct _FdCliCommand
{
  const char *verb;
  const char *summary;              /* N_() */
  const FdCliParam *const *args;    /* NULL-terminated */
  const FdCliParam *const *options; /* NULL-terminated */
  const char *method;               /* NULL: a local command */
  const char *path;                 /* below /api/v1, "{}" for each TO_PATH value */
  FdCliShow show;
  const FdCliColumn *columns; /* FD_CLI_SHOW_LIST: terminated by a NULL header */
  FdCliFlags flags;
  FdCliKind kind; /* what it lists or deletes, when that is not the noun's kind */
  /* Sub-commands (terminated by a NULL verb): "device credentials list". When the word after
   * the verb is none of them, the command itself runs with that word as its first argument. */
  const FdCliCommand *subcommands;
  FdCliCheckFunc check;
  FdCliRemoteFunc remote; /* NULL: the request and the answer follow the table */
  FdCliLocalFunc local;
};

typedef struct
{
  const char *name;
  const char *summary; /* N_() */
  FdCliKind kind;
  const FdCliCommand *commands; /* terminated by a NULL verb */
} FdCliNoun;

typedef struct
{
  const FdCliParam *const *global_options; /* NULL-terminated */
  const FdCliNoun *nouns;                  /* terminated by a NULL name */
} FdCliTable;

/* fd-cli-commands.c */
extern const FdCliTable fd_cli_table;
const FdCliNoun *fd_cli_find_noun (const char *name);
const FdCliCommand *fd_cli_find_command (const FdCliNoun *noun, const char *verb);

/* fd-cli-parse.c */
struct _FdCliInvocation
{
  const FdCliNoun *noun;       /* NULL until NOUN is read */
  const FdCliCommand *command; /* NULL until VERB is read; then the sub-command once read */
  const FdCliCommand *parent;  /* the verb when command is one of its sub-commands, else NULL */
  GPtrArray *args;             /* the positional values after NOUN VERB */
  GHashTable *values;          /* const FdCliParam * → GPtrArray of char * */
  gboolean help;
  gboolean version;
  gboolean verb_implied; /* command is the noun's default verb, not (yet) named */
};

FdCliInvocation *fd_cli_invocation_new (void);
void fd_cli_invocation_free (FdCliInvocation *invocation);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdCliInvocation, fd_cli_invocation_free)

/* Reads argv into @invocation. On a usage error returns FALSE with FD_CLI_ERROR_USAGE;
 * @invocation then holds as much as was understood, so the hint can name the right --help. */
gboolean fd_cli_parse (FdCliInvocation *invocation, int argc, char **argv, GError **error);
/* The last value given for the global or verb option called @name, or NULL. */
const char *fd_cli_invocation_get (const FdCliInvocation *invocation, const char *name);
gboolean fd_cli_invocation_has (const FdCliInvocation *invocation, const char *name);
/* Every value given for the repeatable option @name (char *), or NULL when none. */
GPtrArray *fd_cli_invocation_get_all (const FdCliInvocation *invocation, const char *name);
/* "device credentials list": the words that name the command @invocation reached. */
char *fd_cli_invocation_name (const FdCliInvocation *invocation);
/* What the command lists or deletes. */
FdCliKind fd_cli_invocation_kind (const FdCliInvocation *invocation);

/* fd-cli-values.c */
/* Checks @text against @param's kind of value and bounds; @label names it in the message (NULL:
 * "--name" for an option, "NAME" for an argument). */
gboolean fd_cli_check_value (const FdCliParam *param, const char *label, const char *text,
                             GError **error);
/* A printable, shortened copy of a rejected value, safe to put in front of a person. */
char *fd_cli_quote (const char *text);

/* fd-cli-help.c */
void fd_cli_print_help (const FdCliInvocation *invocation);
/* "fleetdesk-cli device --help", naming the deepest level @invocation reached. */
char *fd_cli_help_hint (const FdCliInvocation *invocation);

/* fd-cli-completion.c */
/* The bash completion script, generated from fd_cli_table. */
char *fd_cli_completion_bash (void);
int fd_cli_completion_run (const FdCliInvocation *invocation);

/* fd-cli-export.c */
gboolean fd_cli_export_start (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                              GError **error);
gboolean fd_cli_export_download (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                                 GError **error);
gboolean fd_cli_export_schedule (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                                 GError **error);

/* fd-cli-config.c */
void fd_cli_endpoint_clear (FdCliEndpoint *endpoint);
/* Decides the server URL and token from --server/--token/--data-dir, the environment and the
 * default data directory (see fleetdesk-cli --help). */
gboolean fd_cli_endpoint_resolve (const FdCliInvocation *invocation, FdCliEndpoint *endpoint,
                                  GError **error);

/* fd-cli-request.c */
/* The path below /api/v1 of @invocation's command with each "{}" replaced by the next path
 * argument (percent-encoded), then the query from its options. */
char *fd_cli_request_path (const FdCliInvocation *invocation);
/* The JSON body of a POST or PATCH from the arguments and options that go to the body (the
 * text of FD_CLI_TO_BODY_FILE files included); NULL without an error for other methods. */
gboolean fd_cli_request_body (const FdCliInvocation *invocation, char **body_out, GError **error);

/* fd-cli-http.c */
typedef struct
{
  const char *method;
  const char *path_and_query; /* below /api/v1 */
  const char *content_type;   /* of @body */
  GBytes *body;               /* NULL: none */
  guint timeout_seconds;      /* 0: FD_CLI_TIMEOUT_SECONDS */
  gsize max_answer_bytes;     /* 0: FD_CLI_MAX_RESPONSE_BYTES */
  GOutputStream *sink;        /* a 2xx answer's body goes here (a download), not into memory */
  /* Instead of @body: a body streamed from @upload (@upload_length bytes, sent with that
   * Content-Length), never read whole into memory; with @progress, how much was sent is shown
   * on stderr. */
  GInputStream *upload;
  goffset upload_length;
  gboolean progress;
} FdCliRequest;

/* Sends @request to @endpoint's API. A 2xx answer returns TRUE and its body (possibly empty);
 * anything else returns FALSE with FD_CLI_ERROR_API / _UNAUTHORIZED carrying the API's message
 * and code, _CONNECT when the server cannot be reached, or _PROTOCOL. When the server answered
 * with an error and @error_body_out is not NULL, it receives that answer's body. */
gboolean fd_cli_http_send (const FdCliEndpoint *endpoint, const FdCliRequest *request,
                           GBytes **body_out, GBytes **error_body_out, GError **error);
/* The usual request of @invocation's command: its method, path and JSON body. */
gboolean fd_cli_http_send_command (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                                   GBytes **body_out, GError **error);

/* fd-cli-output.c */
/* Prints the API's answer to @invocation's command as a person reads it: a table, key: value
 * lines or a confirmation; with --json the body unchanged. */
gboolean fd_cli_output_show (const FdCliInvocation *invocation, GBytes *body, GError **error);
/* Writes @len bytes of @text to stdout, checking for errors. */
gboolean fd_cli_output_write (const char *text, gsize len, GError **error);
/* Writes @body as --json shows it: unchanged, with a final newline. */
gboolean fd_cli_output_json (GBytes *body, GError **error);
/* A copy of @text that is valid UTF-8 without control characters, safe for a terminal. */
char *fd_cli_output_printable (const char *text);
/* @body parsed as one JSON object, or FD_CLI_ERROR_PROTOCOL. */
JsonNode *fd_cli_output_parse (GBytes *body, GError **error);
/* Prints @object as aligned key: value lines, without the members named in @skip (NULL or
 * NULL-terminated); a nested object's members as "key.member" lines. PEM text is printed as
 * it is, on the lines after its key. */
gboolean fd_cli_output_object (JsonObject *object, const char *const *skip, GError **error);
/* @items as an aligned table with a header line, or "" when there are none. */
char *fd_cli_output_table (const FdCliColumn *columns, JsonArray *items);
/* The member at @path ("device.name") of @object, or NULL. */
JsonNode *fd_cli_output_lookup (JsonObject *object, const char *path);
/* The string member @name of @object, or NULL when absent or not a string. */
const char *fd_cli_output_get_string (JsonObject *object, const char *name);

/* fd-cli-files.c */
/* Reads the PEM file @path for a request: at most FD_CLI_MAX_PEM_BYTES of UTF-8 text with
 * "-----BEGIN " and "-----END …-----" lines; returns the text from the first to the last of
 * them. FD_CLI_ERROR_FILE naming the file otherwise. */
char *fd_cli_file_read_pem (const char *path, GError **error);
/* Reads @path whole, at most @max_bytes; FD_CLI_ERROR_FILE naming the file otherwise. */
GBytes *fd_cli_file_read (const char *path, gsize max_bytes, GError **error);

/* A file that is private (mode 0600) from its creation and appears at its path whole or not at
 * all: written to a temporary file beside it, then renamed. */
typedef struct _FdCliPrivateFile FdCliPrivateFile;
/* Makes the temporary file beside @path. Fails at once when @path exists (unless @overwrite)
 * or its directory cannot be written, so that a caller knows before it asks the server for a
 * secret that would then be lost. */
FdCliPrivateFile *fd_cli_private_file_new (const char *path, gboolean overwrite, GError **error);
/* Writes @len bytes of @data, syncs them and renames the file to its path; without @overwrite
 * an existing file there is never replaced (FD_CLI_ERROR_FILE, G_FILE_ERROR_EXIST in the
 * message's cause). */
gboolean fd_cli_private_file_commit (FdCliPrivateFile *file, const char *data, gsize len,
                                     GError **error);
/* TRUE when the last commit failed only because the path exists. */
gboolean fd_cli_private_file_existed (const FdCliPrivateFile *file);
const char *fd_cli_private_file_get_path (const FdCliPrivateFile *file);
/* Removes the temporary file if it was not committed. */
void fd_cli_private_file_free (FdCliPrivateFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdCliPrivateFile, fd_cli_private_file_free)
/* Syncs the directory holding @path, so that a file renamed into it survives a power cut. */
void fd_cli_dir_sync (const char *path);
/* Makes @dir with mode 0700 when it is missing; checks that it is a directory we can write. */
gboolean fd_cli_dir_prepare (const char *dir, GError **error);
/* @name made into one safe file name: '/', control characters and a leading '.' become '_', and
 * it is cut (at a character) to FD_CLI_MAX_FILE_STEM_BYTES. */
char *fd_cli_file_stem (const char *name);
#define FD_CLI_MAX_FILE_STEM_BYTES 200

/* fd-cli-zdevice.c */
/* The zdevice.json object (docs/protocol.md) for @credential as a create or import answer gives
 * it (with its secret parts), @endpoint and @cacert; FD_CLI_ERROR_PROTOCOL when the credential
 * lacks what the file needs. */
JsonNode *fd_cli_zdevice_build (JsonObject *credential, JsonNode *endpoint, const char *cacert,
                                GError **error);
/* Writes @zdevice to @file as indented JSON. */
gboolean fd_cli_zdevice_write (FdCliPrivateFile *file, JsonNode *zdevice, GError **error);

/* fd-cli-credentials.c: device credentials */
gboolean fd_cli_credentials_check_create (const FdCliInvocation *invocation, GError **error);
gboolean fd_cli_credentials_create (const FdCliInvocation *invocation,
                                    const FdCliEndpoint *endpoint, GError **error);
/* "device credentials DEVICE_ID --mode MODE -o FILE": a new credential, its file written. */
gboolean fd_cli_credentials_issue (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                                   GError **error);
/* The FINGERPRINT/KEY cell of a credential list. */
char *fd_cli_credentials_key_cell (JsonObject *credential);

/* fd-cli-events.c: the live events stream */
gboolean fd_cli_events_follow (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                               GError **error);

/* fd-cli-conditions.c: device send and status */
/* "device send DEVICE KEY VALUE_JSON": the value goes into the body as JSON, not as a string. */
gboolean fd_cli_device_send (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                             GError **error);
/* "device status DEVICE": the expected and current maps as two tables. */
gboolean fd_cli_device_status (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                               GError **error);
/* The DURATION cell of a condition: "1h 02m 03s". */
char *fd_cli_condition_duration_cell (JsonObject *condition);
/* The DEVICE cell of a condition: its name, or its id when it has none. */
char *fd_cli_condition_device_cell (JsonObject *condition);

/* fd-cli-jobs.c: jobs and variables */
gboolean fd_cli_job_check_schedule (const FdCliInvocation *invocation, GError **error);
gboolean fd_cli_job_schedule (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                              GError **error);
gboolean fd_cli_job_get (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                         GError **error);
/* A usage error when KEY (the second argument) holds a '/'. */
gboolean fd_cli_variable_check_key (const FdCliInvocation *invocation, GError **error);
gboolean fd_cli_variable_set (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                              GError **error);
/* Sends @b's JSON to @path with @method; the answer parsed (and its bytes in @raw). */
gboolean fd_cli_send_json (const FdCliEndpoint *endpoint, const char *method, const char *path,
                           JsonBuilder *b, JsonNode **answer, GBytes **raw, GError **error);
JsonNode *fd_cli_get_json (const FdCliEndpoint *endpoint, const char *path, GBytes **raw,
                           GError **error);
/* An integer option checked against [@min, @max]; TRUE (and *@value untouched) when absent. */
gboolean fd_cli_int_option (const FdCliInvocation *invocation, const char *name, gint64 min,
                            gint64 max, gint64 *value, GError **error);
/* "@member": [the values of the repeatable --@option] (an empty array when none). */
void fd_cli_add_ids (JsonBuilder *b, const FdCliInvocation *invocation, const char *option,
                     const char *member);
/* The same, left out when --@option is not given (what a PATCH leaves as it is). */
void fd_cli_add_ids_given (JsonBuilder *b, const FdCliInvocation *invocation, const char *option,
                           const char *member);
/* "@member": the value of --@option, left out when it is not given. */
void fd_cli_add_string (JsonBuilder *b, const FdCliInvocation *invocation, const char *option,
                        const char *member);
/* An integer option whose value is the body's @member, within [@min, @max]. */
typedef struct
{
  const char *option;
  const char *member;
  gint64 min, max;
} FdCliIntMember;
/* Each of the @n options checked (a usage error for the first out of bounds) … */
gboolean fd_cli_check_int_members (const FdCliInvocation *invocation, const FdCliIntMember *ints,
                                   gsize n, GError **error);
/* … and added as its member when given (checked before, by fd_cli_check_int_members). */
void fd_cli_add_int_members (JsonBuilder *b, const FdCliInvocation *invocation,
                             const FdCliIntMember *ints, gsize n);
/* Prints @object's key: value lines (without @skip) and then the table of its member
 * @list_member's items ({"items", "total"} or an array) under @title. */
gboolean fd_cli_show_with_table (JsonObject *object, const char *const *skip,
                                 const char *list_member, const FdCliColumn *columns,
                                 const char *title, GError **error);

/* fd-cli-ota.c: firmware and campaigns */
gboolean fd_cli_firmware_upload (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                                 GError **error);
gboolean fd_cli_campaign_check_create (const FdCliInvocation *invocation, GError **error);
gboolean fd_cli_campaign_create (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                                 GError **error);
gboolean fd_cli_campaign_get (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                              GError **error);
/* fd-cli-campaigns.c: the STAGE cell of a campaign or a target: its "stage" index counted from
 * 1, as the stages' table and "campaign watch" number them. */
char *fd_cli_campaign_stage_cell (JsonObject *item);
/* The FAILED cell of a campaign or a stage: failed + reverted + timed_out of its "counts", as
 * the failure rule and "campaign watch" count them. */
char *fd_cli_campaign_failed_cell (JsonObject *item);
/* Prints @campaign's fields and its stages' table. */
gboolean fd_cli_campaign_show (JsonObject *campaign, GError **error);
gboolean fd_cli_campaign_watch (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                                GError **error);

/* fd-cli-import.c: device import */
gboolean fd_cli_import_check (const FdCliInvocation *invocation, GError **error);
gboolean fd_cli_import_run (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                            GError **error);

G_END_DECLS
