# Writes the fixed answer-test dataset (as of 2025-02-20). Run once; the
# CSV files are committed.
import csv, datetime, random
rnd = random.Random(16)
d0 = datetime.date(2024, 12, 1)
with open("cloud_costs.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["Id", "Provider", "Account", "Service", "Region", "Date", "Cost", "Currency"])
    n = 0
    for i in range(82):  # 2024-12-01 .. 2025-02-20
        day = d0 + datetime.timedelta(days=i)
        rows = [("aws", "111111111111", "AmazonEC2", "us-east-1", "100.00"),
                ("aws", "111111111111", "AmazonS3", "eu-west-1", "20.50"),
                ("gcp", "proj-analytics", "BigQuery", "europe-west3", "%.2f" % (10 + (i % 3)))]
        if day == datetime.date(2025, 2, 12):
            rows[0] = ("aws", "111111111111", "AmazonEC2", "us-east-1", "900.00")
        for r in rows:
            n += 1
            w.writerow(["c%05d" % n, r[0], r[1], r[2], r[3], day.isoformat(), r[4], "USD"])
accounts = [
    ("a1", "Acme Corp", "Manufacturing", "Germany", "u-alice", "2024-06-03T10:00:00Z"),
    ("a2", "Globex", "Technology", "United States", "u-bob", "2024-11-20T09:00:00Z"),
    ("a3", "Initech", "Technology", "United States", "u-alice", "2025-01-15T12:00:00Z"),
    ("a4", "Umbrella", "Healthcare", "France", "u-carol", "2025-02-03T08:30:00Z"),
    ("a5", "Hooli", "Technology", "Germany", "u-bob", "2025-02-18T16:00:00Z"),
    ("a6", "Vandelay", "Retail", "Spain", "u-carol", "2024-02-10T11:00:00Z"),
]
with open("accounts.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["Id", "Name", "Industry", "Country", "Owner", "CreatedAt"])
    for a in accounts:
        w.writerow(a)
with open("contacts.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["Id", "AccountId", "FirstName", "LastName", "Email"])
    w.writerow(["p1", "a1", "Maria", "Schneider", "maria.schneider@acme.example"])
    w.writerow(["p2", "a2", "John", "Whitfield", "john@globex.example"])
opps = [
    # id, account, amount, stage, close, closed, won, owner
    ("o1", "a1", "50000.00", "Negotiation", "2025-03-15", "false", "false", "u-alice"),
    ("o2", "a2", "12000.00", "Proposal", "2025-02-28", "false", "false", "u-bob"),
    ("o3", "a3", "8000.00", "Discovery", "2025-05-10", "false", "false", "u-alice"),
    ("o4", "a1", "30000.00", "Closed Won", "2025-01-20", "true", "true", "u-alice"),
    ("o5", "a4", "15000.00", "Closed Won", "2025-02-05", "true", "true", "u-carol"),
    ("o6", "a2", "9000.00", "Closed Lost", "2025-02-10", "true", "false", "u-bob"),
    ("o7", "a6", "22000.00", "Closed Won", "2024-11-12", "true", "true", "u-carol"),
    ("o8", "a5", "4000.00", "Closed Lost", "2024-12-01", "true", "false", "u-bob"),
    ("o9", "a3", "7000.00", "Closed Won", "2024-10-03", "true", "true", "u-alice"),
]
with open("opportunities.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["Id", "Name", "AccountId", "Amount", "Currency", "Stage", "CloseDate", "IsClosed", "IsWon", "Owner"])
    for o in opps:
        w.writerow([o[0], "Deal " + o[0], o[1], o[2], "USD", o[3], o[4], o[5], o[6], o[7]])
invs = [
    # id, account, total, due, paid, status, issue, duedate, paidat
    ("i1", "a1", "10000.00", "10000.00", "0.00", "open", "2025-02-01", "2025-03-03", ""),
    ("i2", "a2", "5000.00", "5000.00", "0.00", "open", "2025-01-05", "2025-02-04", ""),
    ("i3", "a3", "2500.00", "1000.00", "1500.00", "partially_paid", "2024-12-10", "2025-01-09", ""),
    ("i4", "a4", "8000.00", "8000.00", "0.00", "open", "2024-10-15", "2024-11-14", ""),
    ("i5", "a1", "3000.00", "0.00", "3000.00", "paid", "2025-01-10", "2025-02-09", "2025-02-07T10:00:00Z"),
    ("i6", "a6", "4200.00", "0.00", "4200.00", "paid", "2024-12-20", "2025-01-19", "2025-01-18T10:00:00Z"),
    ("i7", "a5", "1200.00", "1200.00", "0.00", "void", "2025-02-10", "2025-03-12", ""),
    ("i8", "a2", "6000.00", "0.00", "6000.00", "paid", "2024-11-01", "2024-12-01", "2024-11-28T10:00:00Z"),
    ("i9", "a4", "700.00", "700.00", "0.00", "open", "2024-09-01", "2024-10-01", ""),
]
with open("invoices.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["Id", "AccountId", "Number", "Total", "AmountDue", "AmountPaid", "Currency", "Status", "IssueDate", "DueDate", "PaidAt"])
    for i in invs:
        w.writerow([i[0], i[1], "INV-" + i[0], i[2], i[3], i[4], "USD", i[5], i[6], i[7], i[8]])
