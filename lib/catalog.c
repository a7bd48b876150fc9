/*
 * catalog.c - `fairgate metrics`: the metric catalogue (lib/metric.c, fg_metric_catalog and
 * fg_metric_aliases) as text for people or JSON for tools. It renders the table and decides
 * nothing; the README's metric list and the policy schema's enum are tested against its
 * JSON (tests/cli/test_metrics.sh).
 */
#include "buf.h"
#include "fairgate.h"
#include "metric.h"
#include "util.h"

#include <cJSON.h>
#include <stdlib.h>

static const char *const form_names[] = {
    [FG_ALIAS_RATIO] = "ratio",
    [FG_ALIAS_DIFFERENCE] = "difference",
    [FG_ALIAS_GROUP_MINUS_REFERENCE] = "signed_difference (group - reference)",
    [FG_ALIAS_REFERENCE_MINUS_GROUP] = "signed_difference (reference - group)",
    [FG_ALIAS_INDEX] = "index",
    [FG_ALIAS_INDEX_AIF360] = "index (AIF360's code at alpha 0)",
    [FG_ALIAS_INDEX_TWO_GROUPS] = "index (AIF360's code at alpha 0; two groups only)",
    [FG_ALIAS_INDEX_ALPHA2] = "index (alpha 2)",
    [FG_ALIAS_VALUE] = "value (the metric compares the group with the reference itself)"};

static const char *direction_name(int direction)
{
    return direction > 0 ? "higher" : direction < 0 ? "lower" : "neither";
}

static cJSON *alias_json(const struct fg_metric_alias *a)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || !cJSON_AddStringToObject(o, "name", a->name) ||
        !cJSON_AddStringToObject(o, "disparity", form_names[a->form]) ||
        !cJSON_AddStringToObject(o, "definition", a->definition) ||
        !cJSON_AddStringToObject(o, "source", a->source)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *metric_json(enum fg_metric metric)
{
    const struct fg_metric_info *info = fg_metric_info(metric);
    cJSON *o = cJSON_CreateObject(), *aliases = cJSON_CreateArray();
    if (o == NULL || aliases == NULL || !cJSON_AddItemToObject(o, "aliases", aliases)) {
        cJSON_Delete(o);
        cJSON_Delete(aliases);
        return NULL;
    }
    for (size_t i = 0; i < fg_metric_n_aliases; i++) {
        if (fg_metric_aliases[i].metric != metric)
            continue;
        cJSON *a = alias_json(&fg_metric_aliases[i]);
        if (a == NULL || !cJSON_AddItemToArray(aliases, a)) {
            cJSON_Delete(a);
            cJSON_Delete(o);
            return NULL;
        }
    }
    if (!cJSON_AddStringToObject(o, "name", info->name) ||
        !cJSON_AddStringToObject(o, "definition", info->definition) ||
        !cJSON_AddStringToObject(o, "better", direction_name(info->direction)) ||
        !cJSON_AddStringToObject(o, "min_group_size_denominator", info->denominator) ||
        !cJSON_AddBoolToObject(o, "counts", info->counts) ||
        !cJSON_AddBoolToObject(o, "groups_only", info->groups_only) ||
        !cJSON_AddBoolToObject(o, "overall_only", fg_metric_overall_only(metric)) ||
        !cJSON_AddStringToObject(o, "source", info->source)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static enum fg_status render_json(char **out, struct fg_error *err)
{
    cJSON *root = cJSON_CreateObject(), *list = cJSON_CreateArray();
    bool ok = root != NULL && list != NULL && cJSON_AddItemToObject(root, "metrics", list);
    if (!ok)
        cJSON_Delete(list);
    for (int m = 0; ok && m < FG_METRIC__N; m++) {
        cJSON *item = metric_json((enum fg_metric)m);
        ok = item != NULL && cJSON_AddItemToArray(list, item);
        if (!ok)
            cJSON_Delete(item);
    }
    char *text = ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (text == NULL)
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    struct fg_buf b = fg_buf_new(FG_BUF_CAP_REPORT, "the metric catalogue");
    fg_buf_puts(&b, text);
    fg_buf_puts(&b, "\n");
    cJSON_free(text);
    return fg_buf_finish(&b, out, err);
}

static void render_text_metric(struct fg_buf *b, enum fg_metric metric)
{
    const struct fg_metric_info *info = fg_metric_info(metric);
    fg_buf_add(b, "%s\n  %s\n  better: %s; min_group_size counts %s; --counts: %s%s\n", info->name,
               info->definition, direction_name(info->direction), info->denominator,
               info->counts ? "yes" : "no",
               info->groups_only                ? "; disparity gates only"
               : fg_metric_overall_only(metric) ? "; overall gates only"
                                                : "");
    fg_buf_add(b, "  source: %s\n", info->source);
    for (size_t i = 0; i < fg_metric_n_aliases; i++) {
        const struct fg_metric_alias *a = &fg_metric_aliases[i];
        if (a->metric == metric)
            fg_buf_add(b, "  alias %s: %s = %s (%s)\n", a->name, form_names[a->form], a->definition,
                       a->source);
    }
}

enum fg_status fg_catalog_run(bool json, char **out, struct fg_error *err)
{
    *out = NULL;
    if (json)
        return render_json(out, err);
    struct fg_buf b = fg_buf_new(FG_BUF_CAP_REPORT, "the metric catalogue");
    for (int m = 0; m < FG_METRIC__N; m++)
        render_text_metric(&b, (enum fg_metric)m);
    return fg_buf_finish(&b, out, err);
}
