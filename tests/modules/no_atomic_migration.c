/*
 * A Valkey module that does nothing, for tests/it/atomic.rs: loaded without arguments it does
 * not declare support for atomic slot migration, so a Valkey >= 9.0 server refuses
 * CLUSTER MIGRATESLOTS while it is loaded (as source; as target the job fails in its
 * handshake). Loaded with any argument it declares that support.
 *
 * No server header is used: the API comes through the function stored at the start of the
 * context the server passes (the server's GetApi: a name in, a function pointer out).
 * Built by the test: cc -shared -fPIC -o no_atomic_migration.so no_atomic_migration.c
 */

typedef int (*get_api_fn)(const char *name, void *out);
typedef int (*set_module_attribs_fn)(void *ctx, const char *name, int version, int api_version);
typedef void (*set_module_options_fn)(void *ctx, int options);

/* The API's status codes. */
enum { MODULE_OK = 0, MODULE_ERR = 1 };

/* The option bit of atomic slot migration support: Valkey 9.0 and 9.1 list it as
 * handle-atomic-slot-migration in INFO modules. */
enum { HANDLE_ATOMIC_SLOT_MIGRATION = 1 << 5 };

int ValkeyModule_OnLoad(void *ctx, void **argv, int argc) {
    (void)argv;
    get_api_fn get_api = (get_api_fn)((void **)ctx)[0];
    set_module_attribs_fn set_module_attribs = 0;
    if (get_api("ValkeyModule_SetModuleAttribs", (void *)&set_module_attribs) != MODULE_OK) {
        return MODULE_ERR;
    }
    set_module_attribs(ctx, "rcltestmod", 1, 1);
    if (argc > 0) {
        set_module_options_fn set_module_options = 0;
        if (get_api("ValkeyModule_SetModuleOptions", (void *)&set_module_options) != MODULE_OK) {
            return MODULE_ERR;
        }
        set_module_options(ctx, HANDLE_ATOMIC_SLOT_MIGRATION);
    }
    return MODULE_OK;
}
