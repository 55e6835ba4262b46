-- Drives Moat's milter like an MTA would (miltertest). Variables from -D:
--   port, scenario (clean | virus | mixed | fail), rcpt2 (optional second recipient)
local conn = mt.connect("inet:" .. port .. "@127.0.0.1")
if conn == nil then error("mt.connect() failed") end
mt.set_timeout(30)
if mt.conninfo(conn, "client.example", "192.0.2.7") ~= nil then error("conninfo failed") end
if mt.getreply(conn) ~= SMFIR_CONTINUE then error("conninfo reply") end
if mt.helo(conn, "client.example") ~= nil then error("helo failed") end
if mt.getreply(conn) ~= SMFIR_CONTINUE then error("helo reply") end
mt.macro(conn, SMFIC_MAIL, "i", "QUEUE123")
if mt.mailfrom(conn, "<alice@example.org>") ~= nil then error("mailfrom failed") end
if mt.getreply(conn) ~= SMFIR_CONTINUE then error("mailfrom reply") end
if mt.rcptto(conn, "<bob@example.org>") ~= nil then error("rcptto failed") end
if mt.getreply(conn) ~= SMFIR_CONTINUE then error("rcptto reply") end
if scenario == "mixed" then
  if mt.rcptto(conn, "<discard@example.org>") ~= nil then error("rcptto2 failed") end
  if mt.getreply(conn) ~= SMFIR_CONTINUE then error("rcptto2 reply") end
end
if mt.header(conn, "From", "alice@example.org") ~= nil then error("header failed") end
if mt.getreply(conn) ~= SMFIR_CONTINUE then error("header reply") end
if mt.header(conn, "Subject", "milter test") ~= nil then error("header failed") end
if mt.getreply(conn) ~= SMFIR_CONTINUE then error("header reply") end
if mt.eoh(conn) ~= nil then error("eoh failed") end
if mt.getreply(conn) ~= SMFIR_CONTINUE then error("eoh reply") end
local body = "Hello.\r\n"
if scenario == "virus" or scenario == "mixed" then
  body = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*\r\n"
end
if mt.bodystring(conn, body) ~= nil then error("body failed") end
if mt.getreply(conn) ~= SMFIR_CONTINUE then error("body reply") end
if mt.eom(conn) ~= nil then error("eom failed") end
local reply = mt.getreply(conn)
if scenario == "clean" then
  if reply ~= SMFIR_ACCEPT then error("clean: expected accept, got " .. tostring(reply)) end
  if not mt.eom_check(conn, MT_HDRINSERT, "X-Moat-Scanned") then error("clean: no header inserted") end
elseif scenario == "virus" then
  if reply ~= SMFIR_REPLYCODE then error("virus: expected reply code, got " .. tostring(reply)) end
  if not mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1", "Message rejected: infected with Eicar-Test-Signature") then error("virus: wrong SMTP reply") end
elseif scenario == "mixed" then
  if reply ~= SMFIR_REPLYCODE then error("mixed: expected reply code, got " .. tostring(reply)) end
elseif scenario == "fail" then
  if reply ~= SMFIR_REPLYCODE then error("fail: expected reply code, got " .. tostring(reply)) end
  if not mt.eom_check(conn, MT_SMTPREPLY, "451", "4.7.1", "Content filter temporarily unavailable, try again later") then error("fail: wrong tempfail reply") end
end
mt.disconnect(conn)
print("SCENARIO-OK " .. scenario)
