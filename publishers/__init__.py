"""Publishers: syndicate the national catalogue to data.public.lu, data.europa.eu and files."""
