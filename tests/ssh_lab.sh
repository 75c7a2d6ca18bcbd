# A private sshd for tests that need real logins (sourced by
# tests/data/record-logins.sh and tests/live.sh; needs root and the Debian
# package openssh-server).
#
#   ssh_lab_start DIR PORT USER...   users, a key, sshd on 127.0.0.1:PORT
#   ssh_lab_ssh USER ARGS...         ssh to it as USER (BatchMode, the key)
#   ssh_lab_stop                     sshd stopped, the users removed
#
# ssh_lab_start creates each USER (useradd -m, shell /bin/bash; it refuses
# a name that exists, so it never touches an account it did not make),
# gives the first one DIR/userkey in ~/.ssh/authorized_keys, and starts
# /usr/sbin/sshd -f DIR/sshd_config: listening on 127.0.0.1:PORT only,
# its own host key, UsePAM yes (the system's /etc/pam.d/sshd, whose
# pam_loginuid opens the audit session), keys only, AllowUsers the first
# user. The system sshd, its config and keys are not touched. SSH_LAB_PID
# is the listener's pid. Returns non-zero with a message on stderr when
# something is missing or fails (after undoing what it did).
# ssh_lab_stop undoes everything ssh_lab_start did (call it from a trap).

SSH_LAB_DIR=
SSH_LAB_PORT=
SSH_LAB_PID=
SSH_LAB_USERS=()
SSH_LAB_RUNDIR=0

ssh_lab_stop() {
	local u i
	if [ -n "$SSH_LAB_PID" ]; then
		kill "$SSH_LAB_PID" 2>/dev/null
		for i in $(seq 50); do kill -0 "$SSH_LAB_PID" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$SSH_LAB_PID" 2>/dev/null && kill -9 "$SSH_LAB_PID" 2>/dev/null
		SSH_LAB_PID=
	fi
	for u in "${SSH_LAB_USERS[@]}"; do
		# a process of the user that outlives its login (nohup) ends by
		# itself: wait for it rather than kill what we did not start
		for i in $(seq 100); do pgrep -u "$u" >/dev/null 2>&1 || break; sleep 0.1; done
		pgrep -u "$u" >/dev/null 2>&1 &&
			echo "ssh_lab: $u still has processes: $(pgrep -u "$u" | tr '\n' ' ')" >&2
		userdel -r -f "$u" >/dev/null 2>&1
	done
	SSH_LAB_USERS=()
	if [ "$SSH_LAB_RUNDIR" = 1 ]; then
		rmdir /run/sshd 2>/dev/null
		SSH_LAB_RUNDIR=0
	fi
}

ssh_lab_start() {
	local dir=$1 port=$2 u i
	shift 2
	SSH_LAB_DIR=$dir
	SSH_LAB_PORT=$port
	for t in /usr/sbin/sshd ssh ssh-keygen useradd userdel; do
		command -v "$t" >/dev/null 2>&1 || {
			echo "ssh_lab: $t is missing (apt-get install openssh-server openssh-client passwd)" >&2
			return 1; }
	done
	for u in "$@"; do
		if getent passwd "$u" >/dev/null; then
			echo "ssh_lab: user $u exists already; not touching it" >&2
			ssh_lab_stop
			return 1
		fi
		useradd -m -s /bin/bash "$u" || { echo "ssh_lab: useradd $u failed" >&2; ssh_lab_stop; return 1; }
		SSH_LAB_USERS+=("$u")
	done
	ssh-keygen -q -t ed25519 -N '' -f "$dir/hostkey" -C ks-lab-host &&
	ssh-keygen -q -t ed25519 -N '' -f "$dir/userkey" -C ks-lab-user || {
		echo "ssh_lab: ssh-keygen failed" >&2; ssh_lab_stop; return 1; }
	u=$1
	install -d -m 0700 -o "$u" -g "$u" "/home/$u/.ssh" &&
	install -m 0600 -o "$u" -g "$u" "$dir/userkey.pub" "/home/$u/.ssh/authorized_keys" || {
		echo "ssh_lab: cannot install the key for $u" >&2; ssh_lab_stop; return 1; }
	cat > "$dir/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/hostkey
PidFile $dir/sshd.pid
UsePAM yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PermitRootLogin no
AllowUsers $u
PrintMotd no
X11Forwarding no
AllowTcpForwarding no
Subsystem sftp internal-sftp
EOF
	# sshd's privilege separation directory
	if [ ! -d /run/sshd ]; then
		mkdir -m 0755 /run/sshd && SSH_LAB_RUNDIR=1
	fi
	/usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log" || {
		echo "ssh_lab: sshd did not start: $(tail -3 "$dir/sshd.log" 2>/dev/null)" >&2
		ssh_lab_stop; return 1; }
	for i in $(seq 50); do
		[ -s "$dir/sshd.pid" ] && break
		sleep 0.1
	done
	SSH_LAB_PID=$(cat "$dir/sshd.pid" 2>/dev/null)
	[ -n "$SSH_LAB_PID" ] || { echo "ssh_lab: sshd wrote no pid file" >&2; ssh_lab_stop; return 1; }
	return 0
}

ssh_lab_ssh() {
	local u=$1
	shift
	ssh -p "$SSH_LAB_PORT" -i "$SSH_LAB_DIR/userkey" -o IdentitiesOnly=yes \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile="$SSH_LAB_DIR/known_hosts" \
		-o BatchMode=yes -o LogLevel=ERROR "$u@127.0.0.1" "$@"
}
