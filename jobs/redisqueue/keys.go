package redisqueue

// Key layout (after Options.Prefix). Every key of one tenant carries the
// tenant in a {hash tag}, so each per-tenant script touches one cluster slot;
// the tenant rotation of each queue lives under the {ring} tag.
//
//	job:state:tenant:{T}:job:<id>       hash   one job
//	job:semaphore:tenant:{T}            zset   concurrency slots: job id → lease deadline (ms)
//	rq:queue:tenant:{T}:<queue>         list   ready job ids (LPUSH in, RPOP out)
//	rq:scheduled:tenant:{T}:<queue>     zset   delayed / backing-off job ids → due time (ms)
//	job:index:tenant:{T}:<state>        zset   job ids per state → last change (ms)
//	job:unique:tenant:{T}               hash   unique key → holder job id
//	job:limit:tenant:{T}                string tenant's concurrency limit
//	job:tenants                         set    tenants that ever had jobs
//	rq:{ring}:<queue>:tenants           list   rotation of tenants with work in <queue>
//	rq:{ring}:<queue>:members           set    members of that rotation
//	rq:{ring}:<queue>:gen               hash   tenant → additions counter (guards removal races)

func (d *Driver) tag(tenant string) string { return "tenant:{" + tenant + "}" }
func (d *Driver) jobPrefix(tenant string) string {
	return d.prefix + "job:state:" + d.tag(tenant) + ":job:"
}
func (d *Driver) jobKey(tenant, id string) string {
	return d.jobPrefix(tenant) + id
}
func (d *Driver) semKey(tenant string) string { return d.prefix + "job:semaphore:" + d.tag(tenant) }
func (d *Driver) queuePrefix(tenant string) string {
	return d.prefix + "rq:queue:" + d.tag(tenant) + ":"
}
func (d *Driver) queueKey(tenant, queue string) string {
	return d.queuePrefix(tenant) + queue
}
func (d *Driver) schedPrefix(tenant string) string {
	return d.prefix + "rq:scheduled:" + d.tag(tenant) + ":"
}
func (d *Driver) schedKey(tenant, queue string) string {
	return d.schedPrefix(tenant) + queue
}
func (d *Driver) indexPrefix(tenant string) string {
	return d.prefix + "job:index:" + d.tag(tenant) + ":"
}
func (d *Driver) indexKey(tenant, state string) string {
	return d.indexPrefix(tenant) + state
}
func (d *Driver) uniqueKey(tenant string) string { return d.prefix + "job:unique:" + d.tag(tenant) }
func (d *Driver) limitKey(tenant string) string  { return d.prefix + "job:limit:" + d.tag(tenant) }
func (d *Driver) tenantsKey() string             { return d.prefix + "job:tenants" }
func (d *Driver) ringPrefix() string             { return d.prefix + "rq:{ring}:" }
func (d *Driver) ringKeys(queue string) []string {
	base := d.ringPrefix() + queue
	return []string{base + ":tenants", base + ":gen", base + ":members"}
}
