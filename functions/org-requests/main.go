// Command org-requests is the Lambda function of the portal route "org-requests".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("org-requests") }
