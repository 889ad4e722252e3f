-- Agent settings that hold across hosts: a counter bumped in the same
-- transaction as every change of agent_settings (a statement trigger, so no
-- code path forgets it). Each working host compares it before it claims an
-- image and reloads the settings when it moved (daemon/catalog/processing/agentSettingsSync.ts).
insert into system_settings (key, value) values ('agent_settings_version', '0'::jsonb) on conflict (key) do nothing;

create function agent_settings_bump() returns trigger language plpgsql as $$
begin
  insert into system_settings (key, value) values ('agent_settings_version', '1'::jsonb)
  on conflict (key) do update set value = to_jsonb((system_settings.value #>> '{}')::bigint + 1);
  return null;
end $$;
create trigger agent_settings_bump after insert or update or delete on agent_settings
  for each statement execute function agent_settings_bump();
